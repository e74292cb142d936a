"""The demo newsroom built from the two seed articles (see ``content.py`` and ``loader.py``)."""
