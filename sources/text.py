"""Text helpers shared by every app: slugs for any script, and locating quotes in a source's text.

Offsets are counted in Unicode code points (Python ``str`` indices), which is also what SQLite's
``substr``/``length`` and PostgreSQL's ``substr``/``char_length`` count, so the database can check them.
"""

from __future__ import annotations

import unicodedata

from anyascii import anyascii
from django.utils.text import slugify


def slugify_any(text: str, max_length: int = 80) -> str:
    """An ASCII slug for text in any script: “Đức” → “duc”, “Лавров” → “lavrov”."""
    slug = slugify(anyascii(unicodedata.normalize("NFC", text)))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


class QuoteNotFound(ValueError):
    """The quote does not occur in the text."""


class QuoteAmbiguous(ValueError):
    """The quote occurs more than once and no offset says which occurrence is meant."""

    def __init__(self, positions: list[int]) -> None:
        super().__init__(f"quote occurs {len(positions)} times")
        self.positions = positions


def find_quote(text: str, quote: str) -> tuple[int, int]:
    """Return ``(start, end)`` of the single occurrence of ``quote`` in ``text``."""
    if not quote:
        raise QuoteNotFound("empty quote")
    positions: list[int] = []
    at = text.find(quote)
    while at != -1 and len(positions) < 50:
        positions.append(at)
        at = text.find(quote, at + 1)
    if not positions:
        raise QuoteNotFound("quote not in text")
    if len(positions) > 1:
        raise QuoteAmbiguous(positions)
    return positions[0], positions[0] + len(quote)
