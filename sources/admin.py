"""Admin for outlets, sources, actors and places: where researchers register what claims come from."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .models import Actor, ActorAlias, Outlet, Place, PlaceAlias, Source
from .text import mark_spans

# Django 6 makes https the scheme assumed for a URL typed without one; say so now.
URL_FIELDS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
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


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["sources/admin.css"]}

    formfield_overrides = URL_FIELDS
    list_display = ["title", "outlet", "kind", "language", "published_at", "appearance_count"]
    list_filter = ["language", "kind", "outlet"]
    search_fields = ["title", "url", "reference", "outlet__name"]
    autocomplete_fields = ["outlet"]
    date_hierarchy = "published_at"
    readonly_fields = ["content_hash", "quoted_text", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "outlet", "kind", "url", "language", "published_at", "reference"]}),
        (_("Text"), {"fields": ["text", "quoted_text", "content_hash"]}),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).select_related("outlet").annotate(appearance_count=Count("appearances"))

    @admin.display(description=_("quoted claims"), ordering="appearance_count")
    def appearance_count(self, obj: Any) -> int:
        return int(obj.appearance_count)

    @admin.display(description=_("text with the quoted claims highlighted"))
    def quoted_text(self, obj: Source) -> SafeString | str:
        if not obj.pk or not obj.text:
            return "—"
        spans = [(a.start, a.end, str(a.claim)) for a in obj.appearances.select_related("claim")]
        return highlighted_text(obj.text, spans)

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    extra = 1


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
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
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "country"]
    search_fields = ["name", "aliases__name"]
    inlines = [PlaceAliasInline]
