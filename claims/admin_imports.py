"""The admin of ClaimReview imports: starting an import, reading what it did, and the rating mapping.

- **ClaimReview imports** (``ImportRun``): the add form takes a feed's URL or an uploaded file (checked
  here: size, UTF-8, a recognisable feed); saving queues ``claims.tasks.import_claimreview`` once the
  transaction commits. A run's page is read-only: its counts and every skipped item with the reason.
- **Rating mappings**: other newsrooms' labels and our rating for each, editable in the list. Saving a
  mapping re-reads every imported review carrying that label (``claims.importing.apply_mapping``).
- **Reviews by other newsrooms** (``ExternalReview``): read-only, filtered by publisher, rating and
  whether the label is mapped, each linked to its claim.

Who may do what is Django's model permissions, granted by migration 0011: researchers read, editors and
publishers also start imports and keep the mapping.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.forms.models import ModelChoiceIterator
from django.http import HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import importing
from .models import ExternalReview, ImportRun, Rating, RatingMapping

#: The largest feed the admin accepts as an upload when Django's own limit is switched off.
DEFAULT_UPLOAD_LIMIT = 20 * 1024 * 1024


def upload_limit() -> int:
    """DATA_UPLOAD_MAX_MEMORY_SIZE (what the site accepts in a request), or 20 MB when that is off."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DEFAULT_UPLOAD_LIMIT


class MappedFilter(admin.SimpleListFilter):
    """Whether a label reads on our scale yet: the unmapped ones are an editor's to-do list."""

    title = _("on our scale")
    parameter_name = "mapped"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("mapped")), ("no", _("not mapped yet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(rating__isnull=False)
        if self.value() == "no":
            return queryset.filter(rating__isnull=True)
        return queryset


# --- Rating mappings ------------------------------------------------------------------------------------


class _RatingsOnce(ModelChoiceIterator):
    """The ratings read once for the whole page, not once per row of the editable list."""

    field: RatingChoiceField

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for rating in self.field.ratings():
            yield self.choice(rating)

    def __len__(self) -> int:
        return len(self.field.ratings()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.field.ratings())


class RatingChoiceField(forms.ModelChoiceField):
    iterator = _RatingsOnce

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shared by the copies each row's form makes of this field (a shallow copy keeps the dict).
        self._listed: dict[str, list[Rating]] = {}

    def ratings(self) -> list[Rating]:
        if "ratings" not in self._listed:
            self._listed["ratings"] = list(self.queryset.prefetch_related("labels"))  # type: ignore[union-attr]
        return self._listed["ratings"]


class RatingMappingForm(forms.ModelForm):
    class Meta:
        model = RatingMapping
        fields = ["label", "rating"]

    def clean_label(self) -> str:
        label: str = self.cleaned_data["label"]
        if self.instance.pk:
            return label
        label_key = importing.label_key(label)
        if not label_key:
            raise ValidationError(gettext("A label needs letters or digits to be compared by."))
        same = RatingMapping.objects.filter(label_key=label_key).first()
        if same is not None:
            raise ValidationError(
                gettext("“%(label)s” already has a mapping (“%(existing)s”): change that one.")
                % {"label": label, "existing": same.label}
            )
        self.instance.label_key = label_key  # derived, never typed: the model's checks see it set
        return label


class ReviewCountChangeList(ChangeList):
    """Counts each listed label's reviews (all spellings of it, by key) in one query for the page."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        keys = {mapping.label_key for mapping in self.result_list}
        counts: dict[str, int] = dict.fromkeys(keys, 0)
        rows = ExternalReview.objects.order_by().values_list("original_label").annotate(reviews=Count("id"))
        for label, reviews in rows:
            label_key = importing.label_key(label)
            if label_key in counts:
                counts[label_key] += reviews
        for mapping in self.result_list:
            mapping.review_count = counts[mapping.label_key]


@admin.register(RatingMapping)
class RatingMappingAdmin(admin.ModelAdmin):
    form = RatingMappingForm
    list_display = ["label", "rating", "review_count", "created_at"]
    list_display_links = ["label"]
    list_editable = ["rating"]
    list_filter = [MappedFilter]
    search_fields = ["label", "label_key"]
    ordering = ["label_key"]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[RatingMapping]:
        return super().get_queryset(request).select_related("rating").prefetch_related("rating__labels")

    @admin.display(description=_("reviews"))
    def review_count(self, obj: RatingMapping) -> int:
        return getattr(obj, "review_count", 0)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ReviewCountChangeList

    def get_readonly_fields(self, request: HttpRequest, obj: RatingMapping | None = None) -> list[str]:
        # Reviews are found by the label's key: renaming a mapping would leave its reviews behind.
        return ["label"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "rating":
            kwargs.setdefault("form_class", RatingChoiceField)
            kwargs.setdefault("queryset", Rating.objects.filter(is_active=True))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: RatingMapping, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        updated = importing.apply_mapping(obj)
        if updated:
            self.message_user(
                request,
                ngettext(
                    "%(count)d imported review labelled “%(label)s” now reads as “%(rating)s”.",
                    "%(count)d imported reviews labelled “%(label)s” now read as “%(rating)s”.",
                    updated,
                )
                % {"count": updated, "label": obj.label, "rating": obj.rating or gettext("not mapped")},
                messages.INFO,
            )

    def delete_model(self, request: HttpRequest, obj: RatingMapping) -> None:
        label_key = obj.label_key
        super().delete_model(request, obj)
        importing.unmap_labels([label_key])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RatingMapping]) -> None:
        keys = list(queryset.values_list("label_key", flat=True))
        super().delete_queryset(request, queryset)
        importing.unmap_labels(keys)


# --- Reviews by other newsrooms -------------------------------------------------------------------------


@admin.register(ExternalReview)
class ExternalReviewAdmin(admin.ModelAdmin):
    """What other newsrooms published, as imported: read here, never edited (a new import updates it)."""

    list_display = ["title", "publisher", "original_label", "rating", "claim_link", "reviewed_at"]
    list_filter = [("rating", admin.RelatedOnlyFieldListFilter), MappedFilter, "publisher", "language"]
    search_fields = ["review_url", "headline", "publisher", "original_label", "claim__text"]
    list_select_related = ["claim", "rating"]
    date_hierarchy = "reviewed_at"
    fields = [
        "review_link",
        "claim_link",
        "headline",
        "publisher",
        "publisher_url",
        "language",
        "original_label",
        ("rating_value", "best_rating", "worst_rating"),
        "rating",
        "reviewed_at",
        "import_run",
        "created_at",
        "updated_at",
        "item_json",
    ]
    readonly_fields = [
        "review_link",
        "claim_link",
        "headline",
        "publisher",
        "publisher_url",
        "language",
        "original_label",
        "rating_value",
        "best_rating",
        "worst_rating",
        "rating",
        "reviewed_at",
        "import_run",
        "created_at",
        "updated_at",
        "item_json",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExternalReview]:
        return super().get_queryset(request).prefetch_related("rating__labels")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("review"), ordering="headline")
    def title(self, obj: ExternalReview) -> str:
        return obj.headline[:120] or obj.review_url

    @admin.display(description=_("review URL"))
    def review_link(self, obj: ExternalReview) -> str:
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', obj.review_url, obj.review_url
        )

    @admin.display(description=_("claim"))
    def claim_link(self, obj: ExternalReview) -> str:
        url = reverse("admin:claims_claim_change", args=[obj.claim_id])
        return format_html('<a href="{}">{}</a>', url, str(obj.claim))

    @admin.display(description=_("ClaimReview as imported"))
    def item_json(self, obj: ExternalReview) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.item, ensure_ascii=False, indent=2))


class ExternalReviewInline(admin.TabularInline):
    """Other newsrooms' reviews of a claim, read-only on the claim's page (for ``ClaimAdmin.inlines``)."""

    model = ExternalReview
    fields = ["review_link", "publisher", "original_label", "rating", "reviewed_at"]
    readonly_fields = ["review_link", "publisher", "original_label", "rating", "reviewed_at"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("reviews by other newsrooms")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExternalReview]:
        return super().get_queryset(request).select_related("rating").prefetch_related("rating__labels")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("review URL"))
    def review_link(self, obj: ExternalReview) -> str:
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', obj.review_url, obj.review_url
        )


# --- Import runs ----------------------------------------------------------------------------------------


class ImportRunForm(forms.ModelForm):
    """A feed to import: its web address, or a file. The file is checked now, so a wrong one is said at
    once rather than as a failed run later."""

    url = forms.URLField(
        label=_("feed URL"),
        required=False,
        max_length=2048,
        assume_scheme="https",
        help_text=_("A DataFeed, ClaimReview JSON-LD or JSON Lines address, fetched by a background task."),
    )
    upload = forms.FileField(
        label=_("or a file"),
        required=False,
        help_text=_("A .json or .jsonl file in UTF-8."),
    )

    #: The uploaded file's text, once checked.
    payload = ""

    class Meta:
        model = ImportRun
        fields: list[str] = []

    def clean_url(self) -> str:
        url: str = self.cleaned_data.get("url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError(gettext("Only http:// and https:// addresses can be fetched."))
        return url

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return upload
        limit = upload_limit()
        if upload.size > limit:
            raise ValidationError(
                gettext("The file is %(size)s; at most %(limit)s can be uploaded. Import it with the command instead.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                gettext("The file is not UTF-8 text: save it as UTF-8 and upload it again.")
            ) from None
        if "\x00" in text:
            raise ValidationError(gettext("The file contains NUL characters: it is not a text feed."))
        try:
            importing.parse_feed(text)
        except importing.FeedError as error:
            raise ValidationError(error.message) from None
        self.payload = text
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        url, upload = cleaned.get("url"), cleaned.get("upload")
        if self.errors:
            return cleaned
        if url and upload:
            raise ValidationError(gettext("Give either a feed URL or a file, not both."))
        if not url and not upload:
            raise ValidationError(gettext("Give the feed's URL or choose a file."))
        return cleaned


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    form = ImportRunForm
    list_display = [
        "created_at",
        "location",
        "status",
        "item_count",
        "created_count",
        "updated_count",
        "unchanged_count",
        "skipped_count",
        "created_by",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["location", "message"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    run_fields = [
        "location",
        "status",
        "message",
        "created_by",
        "created_at",
        "finished_at",
        ("item_count", "created_count", "updated_count", "unchanged_count", "skipped_count"),
        "payload_size",
    ]
    readonly_fields = [
        "location",
        "status",
        "message",
        "created_by",
        "created_at",
        "finished_at",
        "item_count",
        "created_count",
        "updated_count",
        "unchanged_count",
        "skipped_count",
        "payload_size",
        "problems_table",
    ]

    def get_fieldsets(self, request: HttpRequest, obj: ImportRun | None = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["url", "upload"]})]
        return [(None, {"fields": self.run_fields}), (_("Skipped items"), {"fields": ["problems_table"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: ImportRun | None = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a run is a record of what happened; a new import is a new run

    def save_model(self, request: HttpRequest, obj: ImportRun, form: Any, change: bool) -> None:
        from .tasks import queue_import

        if change:
            return
        upload = form.cleaned_data.get("upload")
        obj.location = (form.cleaned_data.get("url") or (upload.name if upload else ""))[:2048]
        obj.payload = getattr(form, "payload", "")
        obj.created_by = request.user  # type: ignore[assignment]
        obj.status = ImportRun.Status.PENDING
        super().save_model(request, obj, form, change)
        run_id = obj.pk
        transaction.on_commit(lambda: queue_import(run_id))

    def response_add(self, request: HttpRequest, obj: ImportRun, post_url_continue: str | None = None) -> Any:
        # To the run's own page, where its counts and skipped items appear once the task has run.
        self.message_user(
            request, gettext("The import is queued: this page shows what it did once it has run."), messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:claims_importrun_change", args=[obj.pk]))

    @admin.display(description=_("uploaded feed"))
    def payload_size(self, obj: ImportRun) -> str:
        return filesizeformat(len(obj.payload.encode("utf-8"))) if obj.payload else "—"

    @admin.display(description=_("skipped items"))
    def problems_table(self, obj: ImportRun) -> str:
        if not obj.problems:
            return gettext("None.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (problem.get("index"), problem.get("url") or "—", problem.get("message", ""))
                for problem in obj.problems
                if isinstance(problem, dict)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("item"),
            gettext("url"),
            gettext("why it was skipped"),
            rows,
        )
