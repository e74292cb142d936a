"""Language tags: validation and normalisation of BCP 47 codes used on every text in the database.

Texts arrive tagged in many ways (``VI``, ``vie``, ``en_US``); we store the canonical BCP 47 form
(``vi``, ``en-US``) so that filters and unique constraints compare like with like.
"""

from __future__ import annotations

import functools
from typing import Any

import babel
import langcodes
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TAG_LENGTH = 35  # RFC 5646 recommends supporting at least 35 characters

#: The shape of a tag we accept (RFC 5646's language, script, region and variant subtags, ``-`` or
#: ``_`` between them, any case), for the API schema. A tag of this shape must still name a registered
#: language: ``qqq`` has the shape and is refused.
TAG_PATTERN = (
    r"^[A-Za-z]{2,3}([-_][A-Za-z]{3}){0,3}([-_][A-Za-z]{4})?([-_]([A-Za-z]{2}|[0-9]{3}))?"
    r"([-_]([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)


def normalize_language_tag(value: str) -> str:
    """Return the canonical form of a BCP 47 tag, or raise ``ValidationError``."""
    tag = (value or "").strip().replace("_", "-")
    if not tag:
        raise ValidationError(_("A language is required."), code="required")
    canonical = _canonical(tag) if len(tag) <= MAX_TAG_LENGTH else None
    if canonical is None:
        raise ValidationError(
            _("“%(value)s” is not a valid BCP 47 language tag (for example “vi”, “en” or “pt-BR”)."),
            code="invalid_language",
            params={"value": value},
        )
    return canonical


@functools.lru_cache(maxsize=4096)
def _canonical(tag: str) -> str | None:
    """The standard form of a registered tag, None for any other. Cached: every language value a model
    saves passes here (``LanguageField.to_python``), and langcodes parses the tag each time (5 µs; a
    5,000-claim import asked 15,000 times for a handful of tags)."""
    if not langcodes.tag_is_valid(tag) or tag.lower() in {"und", "zxx", "mul"}:
        return None
    return langcodes.standardize_tag(tag)


def validate_language_tag(value: str) -> None:
    if normalize_language_tag(value) != value:
        raise ValidationError(
            _("Write the language tag as “%(canonical)s”."),
            code="non_canonical_language",
            params={"canonical": normalize_language_tag(value)},
        )


def site_language(tag: str | None) -> str | None:
    """The language of the site's interface (settings.LANGUAGES) a tag asks for, if the site has it."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-")[0].lower()
    return primary if primary in dict(settings.LANGUAGES) else None


def language_name(tag: str, in_language: str = "en") -> str:
    """A human name for a tag, in the reader's language where langcodes knows it."""
    try:
        locale = babel.Locale.parse(in_language.replace("-", "_"))
        return str(locale.languages.get(langcodes.Language.get(tag).language or "", tag))
    except (babel.UnknownLocaleError, ValueError, LookupError):
        return tag


def _canonical_or_as_typed(value: Any) -> Any:
    """The canonical tag, or the value unchanged for the validator to report with its message."""
    if isinstance(value, str) and value.strip():
        try:
            return normalize_language_tag(value)
        except ValidationError:
            return value
    return value


class LanguageFormField(forms.CharField):
    """Normalises what is typed (``VI`` → ``vi``) before uniqueness checks compare it."""

    def to_python(self, value: Any) -> Any:
        return _canonical_or_as_typed(super().to_python(value))


class LanguageField(models.CharField):
    """A BCP 47 language tag, stored canonical. Forms normalise what is typed (``VI`` → ``vi``)."""

    description = _("BCP 47 language tag")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TAG_LENGTH)
        kwargs.setdefault("verbose_name", _("language"))
        kwargs.setdefault("help_text", _("A BCP 47 tag: “vi”, “en”, “ru”, “ar”, “pt-BR”…"))
        super().__init__(*args, **kwargs)
        self.validators.append(validate_language_tag)

    def to_python(self, value: Any) -> Any:
        return _canonical_or_as_typed(super().to_python(value))

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", LanguageFormField)
        return super().formfield(**kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == MAX_TAG_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs
