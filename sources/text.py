"""Text helpers shared by every app: slugs for any script, and locating quotes in a source's text.

Offsets are counted in Unicode code points (Python ``str`` indices), which is also what SQLite's
``substr``/``length`` and PostgreSQL's ``substr``/``char_length`` count, so the database can check them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from .folding import to_ascii


def slugify_any(text: str, max_length: int = 80) -> str:
    """An ASCII slug for text in any script: “Đức” → “duc”, “Лавров” → “lavrov”."""
    slug = slugify(to_ascii(unicodedata.normalize("NFC", text)))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def is_blank(text: str | None) -> bool:
    """Nothing a reader would see: only spaces, control characters and invisible format characters
    (zero-width spaces and joiners, direction marks, a BOM), which ``str.strip`` keeps."""
    return not any(not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf") for char in text or "")


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


def mark_spans(text: str, spans: Iterable[tuple[int, int, dict[str, Any]]]) -> SafeString:
    """The text with each (start, end, attributes) span wrapped in ``<mark>``; every piece escaped.

    Overlapping spans: the later one is left unmarked rather than garble the text.
    """
    pieces: list[str] = []
    at = 0
    for start, end, attributes in sorted(spans, key=lambda span: (span[0], span[1])):
        if start < at or end > len(text) or start >= end:
            continue
        pieces.append(escape(text[at:start]))
        pieces.append(format_html("<mark{}>{}</mark>", flatatt(attributes), text[start:end]))
        at = end
    pieces.append(escape(text[at:]))
    return mark_safe("".join(pieces))  # noqa: S308 - built from escaped pieces only
