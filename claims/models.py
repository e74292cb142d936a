"""What is checked: claims, their translations and appearances, ratings, verdicts, and the audit trail.

The workflow rules (who may move a claim between states) live in ``claims.workflow``; the models
here hold the data and the invariants the database can enforce. ``Claim.objects.public()`` is the
one gate every public surface (pages, API, feeds, sitemap, search) reads through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sources.languages import LanguageField
from sources.models import Actor, Place, Source
from sources.text import is_blank, slugify_any

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("claim status", "draft")
    IN_REVIEW = "in_review", pgettext_lazy("claim status", "in review")
    CHANGES_REQUESTED = "changes_requested", pgettext_lazy("claim status", "changes requested")
    APPROVED = "approved", pgettext_lazy("claim status", "approved")
    PUBLISHED = "published", pgettext_lazy("claim status", "published")
    RETRACTED = "retracted", pgettext_lazy("claim status", "retracted")


#: States whose claims the public may see: published verdicts, and retractions with their notice.
PUBLIC_STATUSES = (ClaimStatus.PUBLISHED, ClaimStatus.RETRACTED)


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClaimQuerySet(models.QuerySet["Claim"]):
    def public(self) -> ClaimQuerySet:
        """Claims the public may see. Every public page, API list, feed and sitemap starts here."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def published(self) -> ClaimQuerySet:
        """Claims whose verdict currently stands (public, not retracted)."""
        return self.filter(status=ClaimStatus.PUBLISHED)


class Claim(models.Model):
    """One checkable statement, in its original wording and language, kept verbatim."""

    text = models.TextField(_("original wording"), help_text=_("Verbatim, in the language it was made in."))
    language = LanguageField(verbose_name=_("original language"))
    claimant = models.ForeignKey(
        Actor,
        verbose_name=_("claimant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text=_("Who made the claim. Leave empty when the source reports it without naming anyone."),
    )
    claim_date = models.DateField(_("date made"), null=True, blank=True)
    mentions = models.ManyToManyField(
        Actor, verbose_name=_("mentioned actors"), blank=True, related_name="mentioned_in_claims"
    )
    places = models.ManyToManyField(Place, verbose_name=_("places"), blank=True, related_name="claims")
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="claims")
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="claims"
    )
    internal_notes = models.TextField(_("internal notes"), blank=True, help_text=_("Never shown publicly."))
    # Bumped by every workflow transition and verdict edit: a stale form or API client sees a conflict.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    retracted_at = models.DateTimeField(_("retraction date"), null=True, blank=True, editable=False)
    retraction_reason = models.TextField(_("retraction notice"), blank=True, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty"),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=PUBLIC_STATUSES) | Q(published_at__isnull=False),
                name="claim_public_has_published_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=ClaimStatus.RETRACTED) | (Q(retracted_at__isnull=False) & ~Q(retraction_reason="")),
                name="claim_retraction_has_notice",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="claim_status_published"),
            models.Index(fields=["language"], name="claim_language"),
        ]
        permissions = [
            ("submit_claim", _("Can submit a claim for review")),
            ("review_claim", _("Can request changes to and approve claims")),
            ("publish_claim", _("Can publish, correct and retract claims")),
        ]

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 90 else text[:89] + "…"

    def get_absolute_url(self) -> str:
        return reverse("public:claim", kwargs={"pk": self.pk, "slug": self.slug})

    def clean(self) -> None:
        if is_blank(self.text):
            raise ValidationError({"text": _("A claim needs its wording: the text cannot be empty.")})

    @property
    def slug(self) -> str:
        english = next((t.text for t in self.translations.all() if t.language.startswith("en")), None)
        return slugify_any(english or self.text) or "claim"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class ClaimTranslation(models.Model):
    """The claim in another language. The original wording stays on the claim, untouched."""

    class Origin(models.TextChoices):
        HUMAN = "human", _("human translation")
        MACHINE = "machine", _("machine translation")

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="translations")
    language = LanguageField()
    text = models.TextField(_("translation"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.HUMAN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "language"], name="claim_translation_one_per_language"),
            models.CheckConstraint(condition=~Q(text=""), name="claim_translation_not_empty"),
            models.CheckConstraint(condition=Q(origin__in=["human", "machine"]), name="claim_translation_origin"),
        ]

    def __str__(self) -> str:
        return f"[{self.language}] {self.text[:80]}"

    def clean(self) -> None:
        if is_blank(self.text):
            raise ValidationError({"text": _("A translation cannot be empty.")})
        claim = getattr(self, "claim", None)  # an inline's parent may not be saved yet
        if claim is not None and self.language and self.language == claim.language:
            raise ValidationError(
                {"language": _("This is the claim's original language: its wording is on the claim itself.")}
            )


class Appearance(models.Model):
    """Where a claim appeared: a source, the exact quote and its character offsets in the source's text.

    The reporting outlet is the source's outlet; who made the claim is the claim's claimant — an
    agency reporting a minister's words is not the minister.
    """

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="appearances")
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="appearances")
    quote = models.TextField(_("exact quote"), help_text=_("Copied character for character from the source's text."))
    # blank: the admin and the API find the offsets from the quote when they are left out.
    start = models.PositiveIntegerField(
        _("start offset"), blank=True, help_text=_("Found from the quote when left empty.")
    )
    end = models.PositiveIntegerField(_("end offset"), blank=True)
    is_first = models.BooleanField(_("first appearance"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("appearance")
        verbose_name_plural = _("appearances")
        ordering = ["claim", "-is_first", "source__published_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quote=""), name="appearance_quote_not_empty"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appearance_end_after_start"),
            # The offsets span exactly the quote; that the quote equals the source's text at those
            # offsets (a check across tables) is held by a trigger, see migration 0002.
            models.CheckConstraint(condition=Q(end=F("start") + Length("quote")), name="appearance_offsets_span_quote"),
            models.UniqueConstraint(fields=["claim", "source", "start", "end"], name="appearance_unique"),
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(is_first=True),
                name="appearance_one_first_per_claim",
                violation_error_message=_("A claim has one first appearance: untick “first appearance” on the other."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} [{self.start}:{self.end}]"

    def clean(self) -> None:
        from sources.text import QuoteAmbiguous, QuoteNotFound, find_quote

        if not self.quote or not self.source_id:
            return
        text = self.source.text
        if self.start is None and self.end is None:
            try:
                self.start, self.end = find_quote(text, self.quote)
            except QuoteNotFound:
                raise ValidationError(
                    {"quote": _("This quote is not in the source's text. Copy it exactly, character for character.")}
                ) from None
            except QuoteAmbiguous as many:
                raise ValidationError(
                    {
                        "start": _(
                            "The quote occurs %(count)d times in the source (at offsets %(offsets)s): "
                            "give the start offset of the one you mean."
                        )
                        % {"count": len(many.positions), "offsets": ", ".join(map(str, many.positions))}
                    }
                ) from None
            return
        if self.start is not None and self.end is None:
            self.end = self.start + len(self.quote)
        if self.start is None or self.end is None:
            raise ValidationError({"start": _("Give both offsets, or neither to find them from the quote.")})
        if self.end > len(text):
            raise ValidationError(
                {
                    "end": _("The offsets run past the end of the source's text (%(length)d characters).")
                    % {"length": len(text)}
                }
            )
        if text[self.start : self.end] != self.quote:
            if self.quote not in text:
                raise ValidationError(
                    {"quote": _("This quote is not in the source's text. Copy it exactly, character for character.")}
                )
            raise ValidationError(
                {
                    "start": _("The offsets %(start)d–%(end)d do not match the quote; it is at offset %(found)d.")
                    % {"start": self.start, "end": self.end, "found": text.find(self.quote)}
                }
            )

    def context(self, width: int = 120) -> tuple[str, str, str]:
        """The source text around the quote: (before, quote, after), for highlighting."""
        text = self.source.text
        before = text[max(0, self.start - width) : self.start]
        after = text[self.end : self.end + width]
        return before, text[self.start : self.end], after


class RatingClass(models.TextChoices):
    """The normalised classes research datasets use to compare newsrooms' scales."""

    TRUE = "TRUE", _("true")
    FALSE = "FALSE", _("false")
    MIXTURE = "MIXTURE", _("mixture")
    OTHER = "OTHER", _("other")


class Rating(models.Model):
    """One step of the newsroom's rating scale."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    value = models.PositiveSmallIntegerField(
        _("numeric value"), unique=True, help_text=_("ClaimReview ratingValue; the highest is the best rating.")
    )
    rating_class = models.CharField(_("normalised class"), max_length=10, choices=RatingClass.choices)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-value"]
        constraints = [
            models.CheckConstraint(condition=Q(rating_class__in=RatingClass.values), name="rating_class_valid"),
            models.CheckConstraint(condition=Q(value__gte=1), name="rating_value_positive"),
        ]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        """The label in ``language`` (or the active language), falling back to English, then the slug.

        From the labels prefetched with this rating if they were (the admin's lists), else from the cached
        rating scale (``ratings.rating_scale``): the public pages and lists show a rating without a query
        for its labels (bench/README.md: the verdict page, 1.4 ms of 15)."""
        from django.utils.translation import get_language

        from .ratings import pick_label, rating_scale

        wanted = language or get_language() or settings.LANGUAGE_CODE
        if "labels" in getattr(self, "_prefetched_objects_cache", {}):
            labels = {label.language: label.label for label in self.labels.all()}
        else:
            info = rating_scale().ratings.get(self.pk)
            labels = info.labels if info is not None else {}
        return pick_label(labels, wanted, self.slug)


class RatingLabel(models.Model):
    rating = models.ForeignKey(Rating, verbose_name=_("rating"), on_delete=models.CASCADE, related_name="labels")
    language = LanguageField()
    label = models.CharField(_("label"), max_length=100)
    description = models.TextField(_("what it means"), blank=True)

    class Meta:
        verbose_name = _("rating label")
        verbose_name_plural = _("rating labels")
        ordering = ["rating", "language"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "language"], name="rating_label_one_per_language"),
            models.CheckConstraint(condition=~Q(label=""), name="rating_label_not_empty"),
        ]

    def __str__(self) -> str:
        return f"[{self.language}] {self.label}"


class Verdict(models.Model):
    """The newsroom's review of a claim: rating, headline and explanation per language, evidence."""

    claim = models.OneToOneField(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="verdict")
    rating = models.ForeignKey(Rating, verbose_name=_("rating"), on_delete=models.PROTECT, related_name="verdicts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="verdicts"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_verdicts",
        editable=False,
    )
    valid_as_of = models.DateField(_("valid as of"), null=True, blank=True)
    recheck_after = models.DateField(
        _("re-check after"), null=True, blank=True, help_text=_("Editors are reminded to re-check it after this date.")
    )
    # Set by the scheduled re-check task when the date has passed; cleared when an editor re-checks.
    recheck_due_since = models.DateTimeField(_("due for re-check since"), null=True, blank=True, editable=False)
    # Optimistic lock for concurrent edits in the admin and the API.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recheck_after__isnull=True)
                | Q(valid_as_of__isnull=True)
                | Q(recheck_after__gte=F("valid_as_of")),
                name="verdict_recheck_after_valid_as_of",
                violation_error_message=_("The re-check date cannot be before the “valid as of” date."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["recheck_after"], condition=Q(recheck_after__isnull=False), name="verdict_recheck_due"
            ),
        ]

    def __str__(self) -> str:
        rating = self.rating if self.rating_id else "—"
        return f"{rating}: {self.claim}"

    def text_in(self, language: str) -> VerdictText | None:
        texts = {t.language: t for t in self.texts.all()}
        return texts.get(language) or texts.get(language.split("-")[0])


class VerdictText(models.Model):
    """A verdict's headline and explanation in one language."""

    verdict = models.ForeignKey(Verdict, verbose_name=_("verdict"), on_delete=models.CASCADE, related_name="texts")
    language = LanguageField()
    headline = models.CharField(_("headline"), max_length=300)
    explanation = models.TextField(_("explanation"), help_text=_("Markdown. Say what the evidence shows, and why."))

    class Meta:
        verbose_name = _("verdict text")
        verbose_name_plural = _("verdict texts")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["verdict", "language"], name="verdict_text_one_per_language"),
            models.CheckConstraint(condition=~Q(headline=""), name="verdict_text_headline_not_empty"),
            models.CheckConstraint(condition=~Q(explanation=""), name="verdict_text_explanation_not_empty"),
        ]

    def __str__(self) -> str:
        return f"[{self.language}] {self.headline}"

    def clean(self) -> None:
        errors = {}
        if is_blank(self.headline):
            errors["headline"] = _("The headline cannot be blank.")
        if is_blank(self.explanation):
            errors["explanation"] = _("The explanation cannot be blank.")
        if errors:
            raise ValidationError(errors)


class Evidence(models.Model):
    """A source a verdict relies on, and how: it supports the claim, refutes it, or gives context."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", _("supports")
        REFUTES = "refutes", _("refutes")
        CONTEXT = "context", _("context")

    verdict = models.ForeignKey(Verdict, verbose_name=_("verdict"), on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["verdict", "id"]
        constraints = [
            models.UniqueConstraint(fields=["verdict", "source"], name="evidence_source_once_per_verdict"),
            models.CheckConstraint(condition=Q(stance__in=["supports", "refutes", "context"]), name="evidence_stance"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.source}"


class VerdictVersion(models.Model):
    """A frozen copy of a verdict as it was published; a correction adds a new one, the old stays."""

    # PROTECT: a published verdict's record outlives any attempt to delete the verdict, even from the shell.
    verdict = models.ForeignKey(Verdict, verbose_name=_("verdict"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    rating = models.ForeignKey(Rating, verbose_name=_("rating"), on_delete=models.PROTECT, related_name="+")
    # {language: {"headline": ..., "explanation": ...}} and [{"source": id, "stance": ...}] as published.
    texts = models.JSONField(_("texts"))
    evidence = models.JSONField(_("evidence"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("verdict version")
        verbose_name_plural = _("verdict versions")
        ordering = ["verdict", "number"]
        constraints = [models.UniqueConstraint(fields=["verdict", "number"], name="verdict_version_unique")]

    def __str__(self) -> str:
        return f"v{self.number} — {self.rating}"


class ReviewEvent(models.Model):
    """One workflow transition of a claim. Append-only: the audit trail is never edited."""

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_events",
        help_text=_("Empty for the system (scheduled tasks)."),
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ClaimStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["claim", "created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"], name="review_event_claim_time")]

    def __str__(self) -> str:
        who = self.actor or _("system")
        return f"{self.created_at:%Y-%m-%d %H:%M} {who}: {self.action} ({self.from_status} → {self.to_status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("Review events are an audit trail and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("Review events are an audit trail and cannot be deleted."))


class Notification(models.Model):
    """The e-mail a workflow step owes (the outbox): written in the step's transaction, marked once done.

    A message lost on its way to a worker (a process killed, a broker restarted without its data) leaves
    the row not done, and the beat sweep (``claims.tasks.sweep_notifications``) sends it again; the task
    marks it done in the transaction that holds its lock, so a second delivery sends nothing.
    """

    event = models.OneToOneField(
        ReviewEvent, verbose_name=_("review event"), on_delete=models.CASCADE, related_name="notification"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Sent, or found no longer due (the claim moved on before it went out).
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("e-mails sent"), default=0)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["created_at"], condition=Q(done_at__isnull=True), name="notification_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.event} ({'done' if self.done_at else 'pending'})"


class Correction(models.Model):
    """A public note recording a substantive change to a published verdict."""

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.PROTECT, related_name="corrections")
    version = models.ForeignKey(
        VerdictVersion,
        verbose_name=_("corrected version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    note = models.TextField(_("correction note"), help_text=_("Public: what changed and why."))
    language = LanguageField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="correction_note_not_empty")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d}: {self.note[:80]}"


def user_display(user: AbstractBaseUser | None) -> str:
    if user is None:
        return str(_("system"))
    full = getattr(user, "get_full_name", lambda: "")()
    return full or user.get_username()


# --- What readers send: claims to check, complaints and replies -----------------------------------------

#: Length limits of what the public forms take (characters).
MAX_TIP_TEXT = 2_000
MAX_READER_MESSAGE = 5_000


class InboxStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("inbox status", "new")
    IN_PROGRESS = "in_progress", pgettext_lazy("inbox status", "in progress")
    DONE = "done", pgettext_lazy("inbox status", "handled")
    REJECTED = "rejected", pgettext_lazy("inbox status", "rejected")


class ReaderMessage(models.Model):
    """Something a reader sent through a public form. Never shown publicly: editors handle it."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    language = LanguageField(help_text=_("The language of the page the reader wrote from."))
    status = models.CharField(
        _("status"), max_length=20, choices=InboxStatus.choices, default=InboxStatus.NEW, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    editor_notes = models.TextField(_("editors' notes"), blank=True, help_text=_("Internal, never published."))
    # A keyed hash of the sender's address: enough to see one sender's flood, not who they are.
    sender_hash = models.CharField(_("sender fingerprint"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class ClaimTip(ReaderMessage):
    """A claim a reader asks the newsroom to check."""

    text = models.TextField(_("the claim"), max_length=MAX_TIP_TEXT)
    where_seen = models.URLField(_("where it was seen"), max_length=2048, blank=True)
    context = models.TextField(_("context"), max_length=MAX_READER_MESSAGE, blank=True)
    claim = models.ForeignKey(
        Claim,
        verbose_name=_("draft claim made from it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tips",
    )

    class Meta(ReaderMessage.Meta):
        verbose_name = _("claim sent by a reader")
        verbose_name_plural = _("claims sent by readers")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="tip_text_not_empty"),
            models.CheckConstraint(condition=Q(status__in=InboxStatus.values), name="tip_status_valid"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Complaint(ReaderMessage):
    """A complaint, a request for correction, or a right of reply about a published verdict."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("request a correction")
        REPLY = "reply", _("right of reply")
        COMPLAINT = "complaint", _("complaint")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    claim = models.ForeignKey(
        Claim,
        verbose_name=_("about the claim"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    message = models.TextField(_("message"), max_length=MAX_READER_MESSAGE)

    class Meta(ReaderMessage.Meta):
        verbose_name = _("complaint or reply")
        verbose_name_plural = _("complaints and replies")
        constraints = [
            models.CheckConstraint(condition=~Q(message=""), name="complaint_message_not_empty"),
            models.CheckConstraint(condition=Q(status__in=InboxStatus.values), name="complaint_status_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=["correction", "reply", "complaint"]), name="complaint_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:70]}"


# --- Search ----------------------------------------------------------------------------------------------


class SearchDocument(models.Model):
    """What search reads of a claim, folded (``sources.folding``): one row per claim, rewritten by
    ``claims.search.index_claims`` whenever a text it is built from changes. Never edited by hand."""

    claim = models.OneToOneField(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    #: Case-folded, marks kept: wording, translations, quotes, then names (to rank exact spellings first).
    exact = models.TextField(blank=True)
    #: ASCII keys: of the wording, translations and quotes; of the claimant's, mentioned actors' and
    #: places' names with their aliases; and both together (for trigram similarity).
    text_key = models.TextField(blank=True)
    names_key = models.TextField(blank=True)
    all_key = models.TextField(blank=True)
    #: Consonant skeletons of the longer words (``sources.folding.sound``): Kadhafi, Gaddafi and Qaddafi
    #: share one, as do Haftar and Hafter.
    sound_key = models.TextField(blank=True)
    #: The claim's language, claimant, verdict's rating, outlets, sources and mentioned actors as search
    #: filters them (``claims.search.document_facets``: ``1lvi 1c42 1r3 1o2 1s35 1m6``), lexemes of ``terms``
    #: on PostgreSQL (migrations 0022 to 0024).
    facets = models.TextField(blank=True, default="")
    #: Set in the transaction that changes the claim's own texts, cleared by the duplicate scan: a scan
    #: whose message was lost is found and re-sent by the beat sweep (``claims.tasks``).
    needs_duplicate_scan = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            models.Index(fields=["claim"], condition=Q(needs_duplicate_scan=True), name="claims_search_scan_pending")
        ]

    def __str__(self) -> str:
        return self.all_key[:80]


# --- Links between claims ---------------------------------------------------------------------------------


class LinkKind(models.TextChoices):
    SAME_AS = "same_as", _("same claim as")
    CONTRADICTS = "contradicts", _("contradicts")
    REFINES = "refines", _("refines")


class ClaimLink(models.Model):
    """A typed link from one claim to another: the same claim (a confirmed duplicate), a contradiction,
    or a refinement (``from_claim`` states ``to_claim`` more precisely). Same-as and contradicts read
    both ways; one row per pair, whichever way round it was made."""

    Kind = LinkKind
    SYMMETRIC = frozenset({LinkKind.SAME_AS, LinkKind.CONTRADICTS})

    from_claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="links_out")
    to_claim = models.ForeignKey(
        Claim, verbose_name=_("linked claim"), on_delete=models.CASCADE, related_name="links_in"
    )
    kind = models.CharField(_("link"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True, help_text=_("Internal: why they are linked."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("linked at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("link between claims")
        verbose_name_plural = _("links between claims")
        ordering = ["kind", "to_claim_id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_claim=F("to_claim")), name="claim_link_not_to_itself"),
            models.CheckConstraint(condition=Q(kind__in=LinkKind.values), name="claim_link_kind_valid"),
            models.UniqueConstraint(fields=["from_claim", "to_claim"], name="claim_link_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.from_claim_id} {self.kind} {self.to_claim_id}"

    def clean(self) -> None:
        if self.from_claim_id and self.from_claim_id == self.to_claim_id:
            raise ValidationError({"to_claim": _("A claim cannot be linked to itself.")})
        if self.from_claim_id and self.to_claim_id:
            reverse_link = ClaimLink.objects.filter(from_claim_id=self.to_claim_id, to_claim_id=self.from_claim_id)
            if reverse_link.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"to_claim": _("These two claims are already linked (from the other claim's page).")}
                )


# --- Found by a task, decided by an editor ---------------------------------------------------------------


class EditorDecision(models.Model):
    """Something a task found for editors to decide (a possible duplicate, a claim candidate): who
    decided it and when. Its ``status`` is the subclass's own, with its own choices."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), default=timezone.now)

    class Meta:
        abstract = True


# --- Duplicate suggestions --------------------------------------------------------------------------------


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("to decide")
    CONFIRMED = "confirmed", _("confirmed duplicate")
    DISMISSED = "dismissed", _("dismissed")


class DuplicateSuggestion(EditorDecision):
    """A claim that may say what another says, found by ``claims.duplicates`` when the claim was written.
    Editors confirm it (a same-as link is made) or dismiss it; a decided suggestion is never re-opened by
    a later scan."""

    Status = SuggestionStatus

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="duplicate_suggestions"
    )
    candidate = models.ForeignKey(
        Claim, verbose_name=_("possible duplicate"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("likeness"))
    status = models.CharField(_("decision"), max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score", "candidate_id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "candidate"], name="duplicate_suggestion_unique_pair"),
            models.CheckConstraint(condition=~Q(claim=F("candidate")), name="duplicate_suggestion_not_itself"),
            models.CheckConstraint(condition=Q(status__in=SuggestionStatus.values), name="duplicate_status_valid"),
        ]
        indexes = [models.Index(fields=["claim", "status"], name="duplicate_claim_status")]

    def __str__(self) -> str:
        return f"{self.claim_id} ~ {self.candidate_id} ({self.score:.2f})"


# --- Claim candidates ----------------------------------------------------------------------------------


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("to decide")
    ACCEPTED = "accepted", _("accepted")
    DISMISSED = "dismissed", _("dismissed")


class ClaimCandidate(EditorDecision):
    """A sentence of a source's text that looks check-worthy (``sources.candidates``), with its offsets.

    An editor accepts it (it becomes a draft claim quoting the sentence, claimant pre-filled) or
    dismisses it. A new text for the source replaces the pending candidates; decided ones are kept.
    """

    Status = CandidateStatus

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="candidates")
    start = models.PositiveIntegerField(_("start offset"))
    end = models.PositiveIntegerField(_("end offset"))
    text = models.TextField(_("sentence"))
    score = models.FloatField(_("check-worthiness"))
    reasons = models.JSONField(_("why"), default=list, blank=True)
    claimant = models.ForeignKey(
        Actor,
        verbose_name=_("likely claimant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("decision"), max_length=10, choices=Status.choices, default=Status.PENDING)
    claim = models.ForeignKey(
        Claim,
        verbose_name=_("claim made from it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("claim candidate")
        verbose_name_plural = _("claim candidates")
        ordering = ["source", "-score", "start"]
        constraints = [
            models.UniqueConstraint(fields=["source", "start", "end"], name="candidate_unique_span"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="candidate_span_not_empty"),
            models.CheckConstraint(condition=Q(status__in=CandidateStatus.values), name="candidate_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="candidate_status_created")]

    def __str__(self) -> str:
        return self.text[:80]


# --- ClaimReview import ----------------------------------------------------------------------------------


class RatingMapping(models.Model):
    """How another newsroom's rating label reads on our scale: “Faux”, “Pants on Fire”, “Sai” → False.

    Labels are compared by search key (case, accents and spacing ignored). A label met in an import and
    not yet mapped is added here with no rating, for an editor to map; mapping it updates every imported
    review carrying it.
    """

    label = models.CharField(_("their label"), max_length=200)
    label_key = models.CharField(_("label key"), max_length=200, unique=True, editable=False)
    rating = models.ForeignKey(
        Rating,
        verbose_name=_("our rating"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty while undecided: reviews with this label stay unmapped."),
    )
    created_at = models.DateTimeField(_("first seen"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("rating mapping")
        verbose_name_plural = _("rating mappings")
        ordering = ["label_key"]
        constraints = [models.CheckConstraint(condition=~Q(label_key=""), name="rating_mapping_key_not_empty")]

    def __str__(self) -> str:
        return self.label


class RowByRowJSONField(models.JSONField):
    """A JSONField that PostgreSQL bulk inserts pass as one parameter per row.

    Django 5.2 bulk-inserts a column as one array (``UNNEST``), which psycopg writes out in Python,
    escaping every quote of every JSON document: 406 ms per 1,000 ClaimReview items against 32 ms for
    the same items as separate parameters (quoted by libpq). Having a placeholder of its own makes Django
    keep the per-row form for the model. The column, and its migrations, are a plain JSONField's.
    """

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs


class ExternalReview(models.Model):
    """A fact-check another newsroom published (a ClaimReview), imported from a feed onto a claim.

    Keyed by the review's URL, so importing a feed again updates rather than duplicates. Their rating is
    kept as they wrote it (``original_label`` and the numbers); ``rating`` is its reading on our scale,
    through ``RatingMapping``.
    """

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="external_reviews")
    review_url = models.URLField(_("review URL"), max_length=2048, unique=True)
    publisher = models.CharField(_("published by"), max_length=300, blank=True)
    publisher_url = models.URLField(_("publisher's site"), max_length=2048, blank=True)
    headline = models.TextField(_("headline"), blank=True)
    language = LanguageField(blank=True)
    original_label = models.CharField(_("their rating"), max_length=200, blank=True)
    rating_value = models.FloatField(_("rating value"), null=True, blank=True)
    best_rating = models.FloatField(_("best rating"), null=True, blank=True)
    worst_rating = models.FloatField(_("worst rating"), null=True, blank=True)
    rating = models.ForeignKey(
        Rating, verbose_name=_("on our scale"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("review date"), null=True, blank=True)
    item = RowByRowJSONField(_("ClaimReview as imported"), default=dict)
    import_run = models.ForeignKey(
        "ImportRun",
        verbose_name=_("last imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("review by another newsroom")
        verbose_name_plural = _("reviews by other newsrooms")
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["original_label"], name="external_review_label")]

    def __str__(self) -> str:
        return f"{self.publisher or self.review_url}: {self.original_label}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportRun(models.Model):
    """One import of a ClaimReview feed (a file or a URL): what it did, and every item it skipped and why."""

    Status = ImportStatus

    location = models.CharField(_("file or URL"), max_length=2048)
    payload = models.TextField(_("uploaded feed"), blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, editable=False
    )
    message = models.TextField(_("message"), blank=True, editable=False)
    item_count = models.PositiveIntegerField(_("items read"), default=0, editable=False)
    created_count = models.PositiveIntegerField(_("created"), default=0, editable=False)
    updated_count = models.PositiveIntegerField(_("updated"), default=0, editable=False)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0, editable=False)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0, editable=False)
    problems = models.JSONField(_("skipped items"), default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ClaimReview import")
        verbose_name_plural = _("ClaimReview imports")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="import_status_valid")]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(status__in=["pending", "running"]), name="import_unfinished"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location} ({self.created_at:%Y-%m-%d %H:%M})"
