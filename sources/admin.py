"""Admin for outlets, sources, actors and places: where researchers register what claims come from."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Actor, ActorAlias, Outlet, Place, PlaceAlias, Source, SourceSnapshot
from .tasks import cited_sources, queue_link_checks, request_fetch
from .text import mark_spans

# Django 6 makes https the scheme assumed for a URL typed without one; say so now.
URL_FIELDS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class ProtectedFirstMixin:
    """The delete page names what protects an object (what a published verdict cites), not a missing
    permission: protected objects alone stop the delete, and nobody may delete a published claim or
    its verdict, so "your account lacks the permission" would point the wrong way."""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        return deleted, counts, set() if protected else perms_needed, protected


class NamedByClaimsMixin(ProtectedFirstMixin):
    """An actor or place that claims name (mentions, places) is protected like a claimant.

    Those links are many-to-many rows, which a delete would drop without asking; listing the claims as
    protected objects makes the admin refuse, on the delete page and in the bulk action alike.
    """

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        named = [
            f"{capfirst(owner._meta.verbose_name)}: {owner}"
            for obj in objs
            for relation in obj._meta.related_objects
            if relation.many_to_many
            for owner in getattr(obj, relation.get_accessor_name()).all()[:20]
        ]
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected.extend(named)
        return deleted, counts, set() if protected else perms_needed, protected


@admin.register(Outlet)
class OutletAdmin(ProtectedFirstMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "domain", "country", "language", "source_count"]
    list_filter = ["country", "language"]
    search_fields = ["name", "domain"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outlet]:
        return super().get_queryset(request).annotate(source_count=Count("sources"))

    @admin.display(description=_("sources"), ordering="source_count")
    def source_count(self, obj: Any) -> int:
        return int(obj.source_count)


def highlighted_text(text: str, spans: list[tuple[int, int, str]]) -> SafeString:
    """The text with each (start, end, title) span wrapped in <mark>; every piece is escaped."""
    attributes = [(start, end, {"title": title, "data-start": start, "data-end": end}) for start, end, title in spans]
    return format_html('<div class="quoted-text">{}</div>', mark_spans(text, attributes))


class SnapshotInline(admin.TabularInline):
    """The page's archived versions, newest first; each opens on its own page with its text."""

    model = SourceSnapshot
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = (
        "last_seen_at",
        "fetched_at",
        "final_url",
        "http_status",
        "title",
        "short_hash",
        "byte_count",
    )
    ordering = ["-last_seen_at", "-id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("SHA-256"))
    def short_hash(self, obj: SourceSnapshot) -> str:
        return obj.sha256[:12]


@admin.register(SourceSnapshot)
class SourceSnapshotAdmin(admin.ModelAdmin):
    """Archived pages: read-only, they are what the page said when it was fetched."""

    list_display = ["source", "fetched_at", "last_seen_at", "http_status", "language", "byte_count"]
    list_select_related = ["source", "source__outlet"]
    search_fields = ["source__title", "source__url", "final_url", "sha256"]
    date_hierarchy = "fetched_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LinkTroubleFilter(admin.SimpleListFilter):
    """Sources whose page changed, vanished or cannot be reached: what editors should look at."""

    title = _("link problems")
    parameter_name = "link_trouble"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Changed, gone or unreachable")), ("cited", _("… and cited by a claim"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Source]) -> QuerySet[Source]:
        if self.value() not in ("yes", "cited"):
            return queryset
        trouble = queryset.filter(
            link_status__in=[Source.LinkStatus.CHANGED, Source.LinkStatus.GONE, Source.LinkStatus.UNREACHABLE]
        )
        if self.value() == "cited":
            trouble = trouble.filter(cited_sources())  # Exists: no join to multiply the counts shown
        return trouble


@admin.register(Source)
class SourceAdmin(ProtectedFirstMixin, admin.ModelAdmin):
    class Media:
        css = {"all": ["sources/admin.css"]}

    formfield_overrides = URL_FIELDS
    list_display = [
        "title_or_url",
        "outlet",
        "kind",
        "language",
        "published_at",
        "appearance_count",
        "fetch_status",
        "link_status",
    ]
    list_filter = [LinkTroubleFilter, "fetch_status", "link_status", "language", "kind", "outlet"]
    search_fields = ["title", "url", "reference", "outlet__name"]
    autocomplete_fields = ["outlet"]
    date_hierarchy = "published_at"
    actions = ["fetch_pages", "check_links"]
    inlines = [SnapshotInline]
    readonly_fields = [
        "content_hash",
        "quoted_text",
        "claim_candidates",
        "fetch_status",
        "fetch_error",
        "fetched_at",
        "link_status",
        "link_checked_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": ["url", "title", "outlet", "kind", "language", "published_at", "reference"],
                "description": _(
                    "Give a URL and save: the page is fetched and archived, and the title, text and language "
                    "left empty are filled in from it."
                ),
            },
        ),
        (_("Text"), {"fields": ["text", "claim_candidates", "quoted_text", "content_hash"]}),
        (
            _("Fetching and link checks"),
            {"fields": ["fetch_status", "fetch_error", "fetched_at", "link_status", "link_checked_at"]},
        ),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).select_related("outlet").annotate(appearance_count=Count("appearances"))

    @admin.display(description=_("quoted claims"), ordering="appearance_count")
    def appearance_count(self, obj: Any) -> int:
        return int(obj.appearance_count)

    @admin.display(description=_("title"), ordering="title")
    def title_or_url(self, obj: Source) -> str:
        return obj.display_title

    @admin.display(description=_("text with the quoted claims highlighted"))
    def quoted_text(self, obj: Source) -> SafeString | str:
        if not obj.pk or not obj.text:
            return "—"
        spans = [(a.start, a.end, str(a.claim)) for a in obj.appearances.select_related("claim")]  # type: ignore[attr-defined]
        return highlighted_text(obj.text, spans)

    @admin.display(description=_("claim candidates"))
    def claim_candidates(self, obj: Source) -> SafeString | str:
        if not obj.pk:
            return "—"
        if obj.needs_candidates:
            return str(_("Being looked for: reload the page in a moment."))
        pending = obj.candidates.filter(status="pending").count()  # type: ignore[attr-defined]
        url = reverse("admin:claims_claimcandidate_changelist") + f"?source__id__exact={obj.pk}&status__exact=pending"
        label = ngettext("%(count)d sentence worth checking", "%(count)d sentences worth checking", pending) % {
            "count": pending
        }
        return format_html('<a href="{}">{}</a>', url, label)

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        if obj.url and (not change or "url" in form.changed_data):
            request_fetch(obj)
            self.message_user(
                request, _("The page at %(url)s is being fetched and archived.") % {"url": obj.url}, messages.INFO
            )

    @admin.action(description=_("Fetch the pages again (fills in what is missing, archives a snapshot)"))
    def fetch_pages(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        sources = list(queryset.exclude(url="").exclude(fetch_status=Source.FetchStatus.PENDING))
        for source in sources:
            request_fetch(source)
        self.message_user(
            request,
            ngettext("%(count)d page is being fetched.", "%(count)d pages are being fetched.", len(sources))
            % {"count": len(sources)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Check the links now (changed, gone or unreachable)"))
    def check_links(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        ids = list(queryset.exclude(url="").values_list("pk", flat=True))
        transaction.on_commit(lambda: queue_link_checks(ids))
        self.message_user(
            request,
            ngettext("%(count)d link is being checked.", "%(count)d links are being checked.", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS,
        )

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not request.user.has_perm("sources.change_source"):
            actions.pop("fetch_pages", None)
            actions.pop("check_links", None)
        return actions


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    extra = 1


@admin.register(Actor)
class ActorAdmin(NamedByClaimsMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country", "alias_list"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "aliases__name", "wikidata_id"]
    inlines = [ActorAliasInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Actor]:
        return super().get_queryset(request).prefetch_related("aliases")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Actor], search_term: str) -> Any:
        queryset, _may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description=_("also written"))
    def alias_list(self, obj: Actor) -> str:
        return ", ".join(alias.name for alias in obj.aliases.all())


class PlaceAliasInline(admin.TabularInline):
    model = PlaceAlias
    extra = 1


@admin.register(Place)
class PlaceAdmin(NamedByClaimsMixin, admin.ModelAdmin):
    list_display = ["name", "country"]
    search_fields = ["name", "aliases__name"]
    inlines = [PlaceAliasInline]
