"""Where claims come from and who makes them: outlets, sources (documents), actors and places.

This app knows nothing of claims; ``claims`` builds on it. A source's text is the reference every
appearance's quote and offsets point into, so once a quote cites it the database refuses edits that
would move the quoted characters (see the trigger in ``claims`` migrations).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .languages import LanguageField
from .text import slugify_any


class Outlet(models.Model):
    """A publisher: a newspaper, broadcaster, agency, ministry website, social account."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    home_url = models.URLField(_("home page"), max_length=500, blank=True)
    domain = models.CharField(
        _("domain"), max_length=253, blank=True, help_text=_("For example “vnexpress.net”, without “www.”.")
    )
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. “VN”."))
    language = LanguageField(blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["domain"], condition=~Q(domain=""), name="outlet_domain_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="outlet_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:outlet", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def slug(self) -> str:
        return slugify_any(self.name) or "outlet"


class SourceKind(models.TextChoices):
    ARTICLE = "article", _("news article")
    STATEMENT = "statement", _("official statement")
    REPORT = "report", _("report")
    POST = "post", _("social media post")
    TRANSCRIPT = "transcript", _("transcript")
    DATASET = "dataset", _("dataset")
    OTHER = "other", _("other")


class Source(models.Model):
    """One document a claim appeared in or a verdict cites: an article, statement, report or post."""

    Kind = SourceKind

    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), on_delete=models.PROTECT, null=True, blank=True, related_name="sources"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    url = models.URLField(_("URL"), max_length=2048, blank=True)
    title = models.CharField(_("title"), max_length=500)
    language = LanguageField()
    published_at = models.DateTimeField(_("publication date"), null=True, blank=True)
    text = models.TextField(
        _("text"), blank=True, help_text=_("The document's text. Quotes of claims point into it by character offsets.")
    )
    content_hash = models.CharField(_("SHA-256 of the text"), max_length=64, editable=False, db_index=True)
    reference = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("A stable key from an archive or an import, e.g. “seed:000_148b000f4ba1f632”. Optional."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="source_url_unique"),
            models.UniqueConstraint(fields=["reference"], condition=~Q(reference=""), name="source_reference_unique"),
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="source_kind_valid"),
        ]
        indexes = [models.Index(fields=["outlet", "-published_at"], name="source_outlet_published")]

    def __str__(self) -> str:
        outlet = f"{self.outlet} — " if self.outlet_id else ""
        date = f" ({self.published_at:%Y-%m-%d})" if self.published_at else ""
        return f"{outlet}{self.title}{date}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The hash is derived from the text, never typed: keep it true on every save.
        self.content_hash = hash_text(self.text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "content_hash"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("public:source", kwargs={"pk": self.pk})


def hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ActorManager(models.Manager["Actor"]):
    def create_with_aliases(self, aliases: list[str] | None = None, **fields: object) -> Actor:
        actor = self.create(**fields)
        ActorAlias.objects.bulk_create([ActorAlias(actor=actor, name=name) for name in aliases or []])
        return actor


class Actor(models.Model):
    """A person or organisation that makes claims or is mentioned in them."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANIZATION = "organization", _("organisation")

    name = models.CharField(_("name"), max_length=200, help_text=_("The name the newsroom uses for them."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    description = models.TextField(_("description"), blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. “LY”."))
    wikidata_id = models.CharField(
        _("Wikidata ID"), max_length=20, blank=True, help_text=_("For example “Q312610”: tells namesakes apart.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ActorManager()

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="actor_name_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=["person", "organization"]), name="actor_kind_valid"),
            models.UniqueConstraint(fields=["wikidata_id"], condition=~Q(wikidata_id=""), name="actor_wikidata_unique"),
        ]
        indexes = [models.Index(fields=["name"], name="actor_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:actor", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def slug(self) -> str:
        return slugify_any(self.name) or "actor"

    @property
    def alias_names(self) -> list[str]:
        return [alias.name for alias in self.aliases.all()]


class Alias(models.Model):
    """Another name or spelling, in any language or script; the owner is set by the subclass."""

    name = models.CharField(_("alias"), max_length=200)
    language = LanguageField(blank=True, help_text=_("Leave empty when the spelling is not tied to a language."))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class ActorAlias(Alias):
    """Another name or spelling of an actor, in any language or script (Gadhafi, Gaddafi, القذافي)."""

    actor = models.ForeignKey(Actor, verbose_name=_("actor"), on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["actor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name"], name="actor_alias_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="actor_alias_not_empty"),
        ]


class Place(models.Model):
    """A place a claim mentions (a country, city, region)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. “LY”."))

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="place_name_not_empty")]

    def __str__(self) -> str:
        return self.name


class PlaceAlias(Alias):
    """Another spelling of a place (Lybia, Liyba, ليبيا)."""

    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = _("place alias")
        verbose_name_plural = _("place aliases")
        ordering = ["place", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="place_alias_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="place_alias_not_empty"),
        ]
