"""Where claims come from and who makes them: outlets, sources (documents), actors and places.

This app knows nothing of claims; ``claims`` builds on it. A source's text is the reference every
appearance's quote and offsets point into, so once a quote cites it the database refuses edits that
would move the quoted characters (see the trigger in ``claims`` migrations).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
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


class FetchStatus(models.TextChoices):
    """Where fetching a source's page stands (``sources.tasks.fetch_source``)."""

    NOT_FETCHED = "not_fetched", _("not fetched")
    PENDING = "pending", _("waiting to be fetched")
    FETCHED = "fetched", _("fetched")
    FAILED = "failed", _("fetch failed")
    BLOCKED = "blocked", _("blocked")


class LinkStatus(models.TextChoices):
    """What the last look at a source's address found, compared with its archived snapshots."""

    UNCHECKED = "unchecked", _("not checked")
    LIVE = "live", _("live, unchanged")
    CHANGED = "changed", _("content changed")
    GONE = "gone", _("gone (link rot)")
    UNREACHABLE = "unreachable", _("unreachable")


class Source(models.Model):
    """One document a claim appeared in or a verdict cites: an article, statement, report or post.

    A source registered with only its address is fetched by a task: its title, text and language are
    filled in from the page, and each distinct version of the page is archived as a ``SourceSnapshot``.
    """

    Kind = SourceKind
    FetchStatus = FetchStatus
    LinkStatus = LinkStatus

    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), on_delete=models.PROTECT, null=True, blank=True, related_name="sources"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    url = models.URLField(_("URL"), max_length=2048, blank=True)
    title = models.CharField(
        _("title"),
        max_length=500,
        blank=True,
        help_text=_("Filled in from the page when left empty and a URL is given."),
    )
    language = LanguageField(
        blank=True,
        help_text=_(
            "A BCP 47 tag: “vi”, “en”, “ru”, “ar”, “pt-BR”… Detected from the page when left empty and a URL is given."
        ),
    )
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
    fetch_status = models.CharField(
        _("fetch status"), max_length=20, choices=FetchStatus.choices, default=FetchStatus.NOT_FETCHED, editable=False
    )
    fetch_error = models.CharField(
        _("fetch error"), max_length=500, blank=True, editable=False, help_text=_("Why the last fetch failed.")
    )
    fetched_at = models.DateTimeField(_("fetched"), null=True, blank=True, editable=False)
    #: While pending: when the fetch is due (now, or after a retry's back-off). A pending fetch still
    #: waiting well after that had its message lost, and the beat sweep sends it again.
    fetch_due_at = models.DateTimeField(_("fetch due"), null=True, blank=True, editable=False)
    link_status = models.CharField(
        _("link status"), max_length=20, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED, editable=False
    )
    link_checked_at = models.DateTimeField(_("link checked"), null=True, blank=True, editable=False)
    #: Set in the transaction that changes the text; cleared by the task that stores its claim candidates.
    needs_candidates = models.BooleanField(default=False, editable=False)
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
            # Title and language may wait for the page only when there is a page to fetch.
            models.CheckConstraint(condition=~Q(title="") | ~Q(url=""), name="source_title_or_url"),
            models.CheckConstraint(condition=~Q(language="") | ~Q(url=""), name="source_language_or_url"),
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="source_kind_valid"),
            models.CheckConstraint(condition=Q(fetch_status__in=FetchStatus.values), name="source_fetch_status_valid"),
            models.CheckConstraint(condition=Q(link_status__in=LinkStatus.values), name="source_link_status_valid"),
        ]
        indexes = [
            models.Index(fields=["outlet", "-published_at"], name="source_outlet_published"),
            models.Index(fields=["fetch_due_at"], condition=Q(fetch_status="pending"), name="source_fetch_pending"),
            models.Index(fields=["id"], condition=Q(needs_candidates=True), name="source_candidates_pending"),
            models.Index(
                fields=["link_status"], condition=~Q(link_status__in=["unchecked", "live"]), name="source_link_trouble"
            ),
        ]

    def __str__(self) -> str:
        outlet = f"{self.outlet} — " if self.outlet_id else ""
        date = f" ({self.published_at:%Y-%m-%d})" if self.published_at else ""
        return f"{outlet}{self.display_title}{date}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The hash is derived from the text, never typed: keep it true on every save. A new text also
        # marks the source for claim candidates, in the same transaction (the outbox the sweep reads).
        new_hash = hash_text(self.text)
        text_changed = new_hash != self.content_hash
        self.content_hash = new_hash
        if text_changed:
            self.needs_candidates = bool(self.text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "content_hash", "needs_candidates"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("public:source", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        if not self.url:
            missing = {}
            if not self.title:
                missing["title"] = _("Give a title, or a URL to take it from.")
            if not self.language:
                missing["language"] = _("Give the language, or a URL to detect it from.")
            if missing:
                raise ValidationError(missing)

    def request_fetch(self) -> None:
        """Mark the source for fetching (saved by the caller); the task is sent after the commit."""
        self.fetch_status = FetchStatus.PENDING
        self.fetch_error = ""
        self.fetch_due_at = timezone.now()

    @property
    def display_title(self) -> str:
        """The title, or the address while the page's title is not known yet."""
        return self.title or self.url


def hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SourceSnapshot(models.Model):
    """One version of a source's page as fetched: its extracted text and title, hashed and dated.

    A page fetched again with the same text is not stored twice: the snapshot's ``last_seen_at`` moves on.
    """

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="snapshots")
    url = models.URLField(_("address requested"), max_length=2048)
    final_url = models.URLField(_("address after redirects"), max_length=2048)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"))
    content_type = models.CharField(_("content type"), max_length=100)
    title = models.CharField(_("title"), max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    language = LanguageField(blank=True)
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    byte_count = models.PositiveIntegerField(_("bytes received"))
    fetched_at = models.DateTimeField(_("first fetched"))
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["source", "-fetched_at", "-id"]
        get_latest_by = "fetched_at"
        constraints = [models.UniqueConstraint(fields=["source", "sha256"], name="snapshot_unique_text")]

    def __str__(self) -> str:
        return f"{self.final_url} ({self.fetched_at:%Y-%m-%d %H:%M})"


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
