"""The REST API (``/api/v1/``): published claims and verdicts for everyone, drafts for the newsroom.

Reads start from ``Claim.objects.public()`` unless the user is newsroom staff asking with ``?status=``;
sources, actors and outlets are public once a public claim cites them. Writes authenticate with a
token and go through ``claims.workflow`` — a token can do exactly what its user can do in the admin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sources.api import (
    LANGUAGE_TAG_SCHEMA,
    MAX_CLAIM_TEXT,
    MAX_COMMENT,
    MAX_EXPLANATION,
    MAX_ID,
    MAX_QUOTE,
    ActorSerializer,
    Cursor,
    LanguageTagField,
    ObjectId,
    OutletSerializer,
    ReadOrAuthenticated,
    SourceDetailSerializer,
    SourceSerializer,
    Text,
)
from sources.languages import LanguageFormField, normalize_language_tag, site_language, validate_language_tag
from sources.models import Actor, Outlet, Source
from sources.tasks import request_fetch

from . import workflow
from .api_fast import claim_rows, claims_json
from .claimreview import absolute, claim_review, data_feed
from .filters import SearchesLast
from .models import (
    PUBLIC_STATUSES,
    Appearance,
    Claim,
    ClaimStatus,
    ClaimTranslation,
    Correction,
    Evidence,
    RatingClass,
    VerdictText,
)
from .pagecache import generation
from .ratings import rating_scale
from .search import search_claims
from .selectors import LocalizedClaim, claim_text_for, linked_claims, public_actors, public_sources

# --- Who may do what -----------------------------------------------------------------------------------


def is_newsroom(user: Any) -> bool:
    """Newsroom staff: may see claims that are not public (drafts, reviews)."""
    return bool(user and user.is_authenticated and user.has_perm("claims.view_claim"))


def require_perm(request: Request, perm: str, what: str) -> None:
    if not request.user.has_perm(perm):
        raise exceptions.PermissionDenied(_("Your account may not %(what)s.") % {"what": what})


# --- Language of the answer ----------------------------------------------------------------------------


def wanted_languages(request: Request) -> list[str]:
    """``?lang=`` (validated), else the Accept-Language header in preference order."""
    raw = request.query_params.get("lang")
    if raw is not None:
        try:
            return [normalize_language_tag(raw)]
        except Exception:
            raise exceptions.ValidationError(
                {"lang": [_("“%(value)s” is not a BCP 47 language tag.") % {"value": raw}]}
            ) from None
    header = request.headers.get("Accept-Language", "")
    tags = []
    for tag, _q in parse_accept_lang_header(header) if header and len(header) < 500 else []:
        if tag != "*":
            try:
                tags.append(normalize_language_tag(tag))
            except Exception:  # noqa: S112 - an unusable header entry is skipped, as browsers send odd ones
                continue
    return tags


def localized(claim: Claim, languages: list[str]) -> LocalizedClaim:
    for language in languages:
        found = claim_text_for(claim, language)
        if found.language.split("-")[0] == language.split("-")[0]:
            return found
    return LocalizedClaim(claim.text, claim.language, True, False)


# --- Serializers (read) --------------------------------------------------------------------------------


class TranslationSerializer(serializers.ModelSerializer):
    language = LanguageTagField()
    text = Text(max_length=MAX_CLAIM_TEXT)

    class Meta:
        model = ClaimTranslation
        fields = ["language", "text", "origin"]


class AppearanceSerializer(serializers.ModelSerializer):
    source_url = serializers.SerializerMethodField()
    title = serializers.CharField(source="source.title", read_only=True)
    outlet = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(source="source.published_at", read_only=True, allow_null=True)

    class Meta:
        model = Appearance
        fields = ["id", "source", "source_url", "title", "outlet", "published_at", "quote", "start", "end", "is_first"]

    def get_source_url(self, appearance: Appearance) -> str:
        return appearance.source.url or absolute(appearance.source.get_absolute_url())

    @extend_schema_field(
        inline_serializer(
            "OutletRef", {"id": serializers.IntegerField(), "name": serializers.CharField()}, allow_null=True
        )
    )
    def get_outlet(self, appearance: Appearance) -> dict[str, Any] | None:
        outlet = appearance.source.outlet
        return {"id": outlet.pk, "name": outlet.name} if outlet else None


def _rating_json(rating_id: int, language: str) -> dict[str, Any]:
    rating = rating_scale().ratings[rating_id]
    return {"slug": rating.slug, "label": rating.label(language), "class": rating.rating_class, "value": rating.value}


class ClaimSerializer(serializers.ModelSerializer):
    """A claim as every client reads it; ``localized`` is the wording in the language asked for."""

    url = serializers.SerializerMethodField()
    localized = serializers.SerializerMethodField()
    translations = TranslationSerializer(many=True, read_only=True)
    claimant = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()
    appearances = AppearanceSerializer(many=True, read_only=True)
    retraction = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "status",
            "language",
            "text",
            "localized",
            "translations",
            "claimant",
            "claim_date",
            "verdict",
            "appearances",
            "published_at",
            "updated_at",
            "version",
            "retraction",
        ]

    def _languages(self) -> list[str]:
        return self.context.get("languages", [])

    def get_url(self, claim: Claim) -> str | None:
        """Its public page, once it has one."""
        return absolute(claim.get_absolute_url()) if claim.is_public else None

    def get_localized(self, claim: Claim) -> dict[str, Any]:
        found = localized(claim, self._languages())
        origin = "original" if found.is_original else ("machine" if found.is_machine else "human")
        return {"language": found.language, "text": found.text, "origin": origin}

    def get_claimant(self, claim: Claim) -> dict[str, Any] | None:
        actor = claim.claimant
        return {"id": actor.pk, "name": actor.name, "kind": actor.kind} if actor else None

    def get_verdict(self, claim: Claim) -> dict[str, Any] | None:
        verdict = getattr(claim, "verdict", None)
        if verdict is None:
            return None
        texts = {t.language: t for t in verdict.texts.all()}
        candidates = [tag for lang in [*self._languages(), claim.language] for tag in (lang, lang.split("-")[0])]
        chosen = next((texts[tag] for tag in candidates if tag in texts), None)
        chosen = chosen or next(iter(texts.values()), None)
        language = chosen.language if chosen else claim.language
        data: dict[str, Any] = {
            "rating": _rating_json(verdict.rating_id, language),
            "language": language,
            "headline": chosen.headline if chosen else None,
            "explanation": chosen.explanation if chosen else None,
            "valid_as_of": verdict.valid_as_of,
            "recheck_after": verdict.recheck_after,
        }
        if self.context.get("detail"):
            data["texts"] = {lang: {"headline": t.headline, "explanation": t.explanation} for lang, t in texts.items()}
            data["evidence"] = [
                {
                    "source": item.source_id,
                    "source_url": item.source.url or absolute(item.source.get_absolute_url()),
                    "title": item.source.title,
                    "stance": item.stance,
                    "note": item.note,
                }
                for item in verdict.evidence.all()
            ]
        return data

    def get_retraction(self, claim: Claim) -> dict[str, Any] | None:
        if claim.status != ClaimStatus.RETRACTED:
            return None
        return {"reason": claim.retraction_reason, "retracted_at": claim.retracted_at}

    def to_representation(self, claim: Claim) -> dict[str, Any]:
        data = super().to_representation(claim)
        if self.context.get("detail"):
            statuses = self.context.get("visible_statuses", PUBLIC_STATUSES)
            data["related"] = [
                {
                    "relation": item.relation,
                    "id": item.claim.pk,
                    "url": absolute(item.claim.get_absolute_url()) if item.claim.is_public else None,
                    "language": item.claim.language,
                    "text": item.claim.text,
                    "status": item.claim.status,
                }
                for item in linked_claims(claim, statuses)
            ]
            data["corrections"] = [
                {
                    "note": c.note,
                    "language": c.language,
                    "created_at": serializers.DateTimeField().to_representation(c.created_at),
                }
                for c in claim.corrections.all()
            ]
        return data


# --- Serializers (write) -------------------------------------------------------------------------------


class ClaimCreateSerializer(serializers.Serializer):
    text = Text(max_length=MAX_CLAIM_TEXT, trim_whitespace=False)
    language = LanguageTagField()
    claimant = ObjectId(queryset=Actor.objects.all(), allow_null=True, required=False)
    claim_date = serializers.DateField(allow_null=True, required=False)
    translations = TranslationSerializer(many=True, required=False)

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("A claim needs its wording: the text cannot be empty."))
        return value

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        languages = [t["language"] for t in data.get("translations", [])]
        if data["language"] in languages:
            raise serializers.ValidationError(
                {"translations": [_("A translation cannot be in the claim's own language (%(language)s).") % data]}
            )
        if len(set(languages)) != len(languages):
            raise serializers.ValidationError({"translations": [_("Give at most one translation per language.")]})
        return data


class AppearanceCreateSerializer(serializers.Serializer):
    source = ObjectId(queryset=Source.objects.all())  # type: ignore[assignment]
    quote = Text(max_length=MAX_QUOTE, trim_whitespace=False)
    start = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    end = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    is_first = serializers.BooleanField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, help_text="The claim version you saw: 409 if it changed.")


class EvidenceWriteSerializer(serializers.Serializer):
    source = ObjectId(queryset=Source.objects.all())  # type: ignore[assignment]
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices)
    note = Text(max_length=MAX_COMMENT, required=False, allow_blank=True, default="")


@extend_schema_field(
    {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": {"type": "string", "minLength": 1},
        # OpenAPI 3.0 has no propertyNames: the keys' schema goes in an extension, and in words.
        "x-propertyNames": {k: v for k, v in LANGUAGE_TAG_SCHEMA.items() if k != "description"},
        "description": "{language: text}; each key a BCP 47 language tag naming a registered language.",
    }
)
class LanguageTexts(serializers.DictField):
    """Texts by language: at least one."""


class VerdictWriteSerializer(serializers.Serializer):
    rating = serializers.SlugField(help_text="A rating slug from /api/v1/ratings/.")
    headline = LanguageTexts(child=Text(max_length=300), help_text="{language: headline}")
    explanation = LanguageTexts(child=Text(max_length=MAX_EXPLANATION), help_text="{language: explanation (Markdown)}")
    evidence = EvidenceWriteSerializer(many=True, required=False)
    valid_as_of = serializers.DateField(required=False, allow_null=True)
    recheck_after = serializers.DateField(required=False, allow_null=True)
    correction_note = serializers.CharField(
        max_length=MAX_COMMENT, required=False, allow_blank=True, help_text="Required to change a published verdict."
    )
    version = serializers.IntegerField(required=False, help_text="The claim version you saw: 409 if it changed.")

    def _languages(self, texts: dict[str, str], field: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in texts.items():
            try:
                out[normalize_language_tag(key)] = value
            except Exception:
                raise serializers.ValidationError(
                    {field: [_("“%(value)s” is not a BCP 47 language tag.") % {"value": key}]}
                ) from None
        return out

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        data["headline"] = self._languages(data["headline"], "headline")
        data["explanation"] = self._languages(data["explanation"], "explanation")
        if set(data["headline"]) != set(data["explanation"]):
            raise serializers.ValidationError(
                {"explanation": [_("Give a headline and an explanation in the same languages.")]}
            )
        if not data["headline"]:
            raise serializers.ValidationError({"headline": [_("Give the verdict in at least one language.")]})
        if rating_scale().by_slug(data["rating"]) is None:
            raise serializers.ValidationError(
                {"rating": [_("There is no rating “%(slug)s”.") % {"slug": data["rating"]}]}
            )
        valid_as_of, recheck_after = data.get("valid_as_of"), data.get("recheck_after")
        if valid_as_of and recheck_after and recheck_after < valid_as_of:
            raise serializers.ValidationError(
                {"recheck_after": [_("The re-check date cannot be before the “valid as of” date.")]}
            )
        sources = [item["source"].pk for item in data.get("evidence", [])]
        if len(set(sources)) != len(sources):
            raise serializers.ValidationError({"evidence": [_("Cite each source once.")]})
        return data

    def content(self) -> workflow.VerdictContent:
        return self.content_of(self.validated_data)

    @staticmethod
    def content_of(data: dict[str, Any]) -> workflow.VerdictContent:
        return workflow.VerdictContent(
            rating=data["rating"],
            texts={lang: (data["headline"][lang], data["explanation"][lang]) for lang in data["headline"]},
            evidence=tuple(
                (item["source"].pk, item["stance"], item.get("note", "")) for item in data.get("evidence", [])
            ),
            valid_as_of=data.get("valid_as_of"),
            recheck_after=data.get("recheck_after"),
        )


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(workflow.REQUESTABLE_ACTIONS))
    comment = Text(
        max_length=MAX_COMMENT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why: required to request changes, to retract, and for a correction (its public note).",
    )
    version = serializers.IntegerField(required=False, help_text="The claim version you saw: 409 if it changed.")
    recheck_after = serializers.DateField(required=False, allow_null=True, help_text="With `recheck`: the next date.")
    verdict = VerdictWriteSerializer(
        required=False, help_text="With `correct`: the corrected verdict (same shape as PUT …/verdict/)."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["action"] == workflow.Action.CORRECT and "verdict" not in data:
            raise serializers.ValidationError(
                {"verdict": [_("A correction carries the corrected verdict: send it as “verdict”.")]}
            )
        return data


ErrorSerializer = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody",
            {
                "status": serializers.IntegerField(),
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    required=False, child=serializers.ListField(child=serializers.CharField())
                ),
            },
        )
    },
)


# --- Filters -------------------------------------------------------------------------------------------


class MomentField(forms.DateTimeField):
    """A date-time a database can compare: offsets within ±15:59 (PostgreSQL's range), a UTC value
    inside the calendar (a date at its very edge can overflow when converted)."""

    def to_python(self, value: Any) -> Any:
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and abs(offset) >= dt.timedelta(hours=16):
            raise ValidationError(_("The time zone offset must be between -15:59 and +15:59."), code="invalid")
        try:
            moment.astimezone(dt.UTC)
        except OverflowError:
            raise ValidationError(
                _("This date is outside the range the database can compare."), code="invalid"
            ) from None
        return moment


class MomentFilter(django_filters.DateTimeFilter):
    field_class = MomentField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id in a query: a whole number the database can hold, else a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class LanguageFilterField(LanguageFormField):
    default_validators = [validate_language_tag]


@extend_schema_field(LANGUAGE_TAG_SCHEMA)
class LanguageFilter(django_filters.CharFilter):
    field_class = LanguageFilterField


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 50, "pattern": "^[-a-zA-Z0-9_]+$"})
class SlugFilter(django_filters.CharFilter):
    """A slug in a query (a rating's), documented as one: an empty value or another shape is a 400."""

    field_class = forms.SlugField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 50)
        super().__init__(*args, **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A filter given with no value (``?outlet=``) is a 400, not silently dropped: a client whose
    variable came out empty should hear so, not receive every claim. Free-text ``q`` may be empty."""

    may_be_empty: frozenset[str] = frozenset({"q"})

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.may_be_empty or name not in self.data:
                continue
            if any(not value.strip() for value in self.data.getlist(name)):
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
                valid = False
        return valid


class ClaimFilter(SearchesLast, StrictFilterSet):
    language = LanguageFilter(field_name="language", help_text="Original language (BCP 47), e.g. `vi`.")
    rating = SlugFilter(field_name="verdict__rating__slug", help_text="Rating slug, e.g. `unproven`.")
    rating_class = django_filters.ChoiceFilter(field_name="verdict__rating__rating_class", choices=RatingClass.choices)
    claimant = IdFilter(field_name="claimant_id", help_text="Actor id of the claimant.")
    source = IdFilter(method="filter_source", help_text="Source id the claim appeared in.")
    outlet = IdFilter(method="filter_outlet", help_text="Outlet id of a source it appeared in.")
    mentions = IdFilter(method="filter_mentions", help_text="Actor id the claim mentions.")
    published_after = MomentFilter(field_name="published_at", lookup_expr="gte")
    published_before = MomentFilter(field_name="published_at", lookup_expr="lte")
    updated_since = MomentFilter(field_name="updated_at", lookup_expr="gte")
    q = django_filters.CharFilter(
        method="search", max_length=200, help_text="Words to find in the claim, its translations, claimant and quotes."
    )
    status = django_filters.ChoiceFilter(
        choices=ClaimStatus.choices, method="filter_status", help_text="Newsroom staff only for non-public states."
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def _ids(self, queryset: QuerySet[Claim], condition: Q) -> QuerySet[Claim]:
        # A subquery, not a join: no duplicate rows, and the cursor's ordering stays on claims.
        return queryset.filter(pk__in=Claim.objects.filter(condition).values("pk"))

    def filter_source(self, queryset: QuerySet[Claim], name: str, value: int) -> QuerySet[Claim]:
        return self._ids(queryset, Q(appearances__source_id=value))

    def filter_outlet(self, queryset: QuerySet[Claim], name: str, value: int) -> QuerySet[Claim]:
        return self._ids(queryset, Q(appearances__source__outlet_id=value))

    def filter_mentions(self, queryset: QuerySet[Claim], name: str, value: int) -> QuerySet[Claim]:
        return self._ids(queryset, Q(mentions__id=value))

    def search(self, queryset: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        return search_claims(queryset, value)

    def filter_status(self, queryset: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        return queryset.filter(status=value)  # who may ask is checked by the view


# --- Views ---------------------------------------------------------------------------------------------


class ConditionalMixin:
    """``Last-Modified`` from the newest row shown; ETags and 304s come from ConditionalGetMiddleware.

    ``?lang=`` also picks the site language of what the response links to (a claim's public ``url``)
    and of its messages, as Accept-Language does through LocaleMiddleware.
    """

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        language = site_language(request.GET.get("lang"))
        if language is None:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        with translation.override(language):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        patch_vary_headers(response, ["Accept-Language", "Authorization"])
        modified = getattr(self, "_last_modified", None)
        if modified is not None and response.status_code == 200:
            response["Last-Modified"] = http_date(modified.timestamp())
        return response


LANG_PARAMETER = OpenApiParameter(
    "lang", LANGUAGE_TAG_SCHEMA, description="Language of `localized` and of the verdict text (else Accept-Language)."
)


#: The list's own parameters besides its filters (``ClaimFilter``).
LIST_PARAMETERS = frozenset({"cursor", "page_size", "lang", "format"})
#: Part of a kept list page's key: changed with the list's JSON (``claims.api_fast``), so that a release
#: never serves pages kept by the one before it.
LIST_SHAPE = 1


@extend_schema_view(
    list=extend_schema(parameters=[LANG_PARAMETER], summary="Published claims (staff: any status with ?status=)"),
    retrieve=extend_schema(parameters=[LANG_PARAMETER], summary="One claim with texts, verdict, appearances"),
    create=extend_schema(
        request=ClaimCreateSerializer, responses={201: ClaimSerializer}, summary="Create a draft claim"
    ),
)
class ClaimViewSet(
    ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    pagination_class = Cursor
    lookup_value_regex = "[0-9]+"
    permission_classes = [ReadOrAuthenticated]
    queryset = Claim.objects.none()

    def _base(self) -> QuerySet[Claim]:
        user = self.request.user
        wanted = self.request.query_params.get("status")
        if self.action == "list":
            if wanted and wanted not in PUBLIC_STATUSES:
                if not is_newsroom(user):
                    raise exceptions.PermissionDenied(_("Only newsroom staff can list claims that are not public."))
                return Claim.objects.all()
            return Claim.objects.public()
        return Claim.objects.all() if is_newsroom(user) else Claim.objects.public()

    def get_queryset(self) -> QuerySet[Claim]:
        queryset = (
            self._base()
            .select_related("claimant", "verdict")
            .prefetch_related(
                Prefetch("translations", queryset=ClaimTranslation.objects.order_by("language")),
                Prefetch("verdict__texts", queryset=VerdictText.objects.order_by("language")),
                Prefetch(
                    "appearances",
                    queryset=Appearance.objects.select_related("source__outlet").order_by("-is_first", "id"),
                ),
            )
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("verdict__evidence", queryset=Evidence.objects.select_related("source").order_by("id")),
                Prefetch("corrections", queryset=Correction.objects.order_by("created_at")),
            )
        return queryset

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["languages"] = wanted_languages(self.request)  # type: ignore[index]
        context["detail"] = self.action != "list"  # type: ignore[index]
        # Linked claims are shown as far as the reader may see them (staff: drafts too).
        context["visible_statuses"] = None if is_newsroom(self.request.user) else PUBLIC_STATUSES  # type: ignore[index]
        return context  # type: ignore[return-value]

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Building the filter form costs more than the rest of a list page's Python: a request naming
        # no filter (most pages) skips it.
        if self.request.query_params.keys() & ClaimFilter.base_filters.keys():
            return super().filter_queryset(queryset)
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # An anonymous client's page is kept as the page cache keeps public pages (``claims.pagecache``:
        # thrown away on any change); after authentication and the throttles, which a cached page still
        # counts against, and before the renderer, which writes it in the format the client asks for.
        languages = wanted_languages(request)
        key = self._list_cache_key(request, languages)
        cached = cache.get(key) if key is not None else None
        if cached is not None:
            data, self._last_modified = cached
            return Response(data)
        # Rows, not model instances: ClaimSerializer's shape from plain functions (claims.api_fast): a third
        # of the CPU a page (bench/api_list.py); tests/test_api_fast.py holds the two to the same bytes.
        queryset = self.filter_queryset(self._base())
        rows = list(self.paginate_queryset(claim_rows(queryset)) or [])
        self._last_modified = max((row["updated_at"] for row in rows), default=None)
        response = self.get_paginated_response(claims_json(rows, languages))
        if key is not None:
            cache.set(key, (response.data, self._last_modified), settings.PAGE_CACHE_SECONDS)
        return response

    def _list_cache_key(self, request: Request, languages: Sequence[str]) -> str | None:
        """Where an anonymous client's list page is kept: by the page cache's generation, the shape of
        the list's JSON, the address asked for (host, filters, cursor), the languages wanted and the
        site's language and time zone. None for a signed-in client, a search (endless, as on the public
        site), a status that only staff may list, a parameter the list does not read (each would be a
        page of its own: the cache is not for anyone to fill), more than three ``languages`` wanted
        (``wanted_languages``), or no page cache."""
        params = request.query_params
        if (
            not settings.PAGE_CACHE_SECONDS
            or request.user.is_authenticated
            or params.get("q", "").strip()
            or params.get("status", PUBLIC_STATUSES[0]) not in PUBLIC_STATUSES
            or not params.keys() <= LIST_PARAMETERS | ClaimFilter.base_filters.keys()
            or len(languages) > 3
        ):
            return None
        asked = "|".join(
            [
                f"{request.scheme}://{request.get_host()}{request.path}",
                "&".join(f"{name}={value}" for name, value in sorted(params.lists())),
                ",".join(languages),
                translation.get_language() or "",
                timezone.get_current_timezone_name(),
            ]
        )
        digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
        return f"claims:api-list:{LIST_SHAPE}:{generation()}:{digest}"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim = self.get_object()
        self._last_modified = claim.updated_at
        return Response(self.get_serializer(claim).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request, "claims.add_claim", _("create claims"))
        incoming = ClaimCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        claim = workflow.create_claim(
            request.user,  # type: ignore[arg-type]
            text=data["text"],
            language=data["language"],
            claimant=data.get("claimant"),
            claim_date=data.get("claim_date"),
            translations=[(t["language"], t["text"], t.get("origin", "human")) for t in data.get("translations", [])],
        )
        self.action = "retrieve"
        return Response(self.get_serializer(self.get_queryset().get(pk=claim.pk)).data, status=status.HTTP_201_CREATED)

    def _answer(self, claim_id: int, code: int = 200) -> Response:
        self.action = "retrieve"
        return Response(self.get_serializer(self.get_queryset().get(pk=claim_id)).data, status=code)

    @extend_schema(
        request=AppearanceCreateSerializer, responses={201: ClaimSerializer}, summary="Record where the claim appeared"
    )
    @action(detail=True, methods=["post"])
    def appearances(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        incoming = AppearanceCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        workflow.add_appearance(
            claim.pk,
            request.user,  # type: ignore[arg-type]
            source=data["source"],
            quote=data["quote"],
            start=data.get("start"),
            end=data.get("end"),
            is_first=data.get("is_first"),
            expected_version=data.get("version"),
        )
        return self._answer(claim.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=VerdictWriteSerializer,
        responses={200: ClaimSerializer},
        summary="Write the verdict (a correction once published)",
    )
    @action(detail=True, methods=["put"])
    def verdict(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        incoming = VerdictWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        user = request.user
        if claim.status == ClaimStatus.PUBLISHED:
            workflow.correct_verdict(
                claim.pk,
                user,  # type: ignore[arg-type]
                incoming.content(),
                note=incoming.validated_data.get("correction_note", ""),
                expected_version=incoming.validated_data.get("version"),
            )
        else:
            workflow.save_verdict(
                claim.pk, user, incoming.content(), expected_version=incoming.validated_data.get("version")
            )  # type: ignore[arg-type]
        return self._answer(claim.pk)

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: inline_serializer(
                "TransitionResult",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "version": serializers.IntegerField(),
                },
            )
        },
        summary="Take a workflow step",
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        if isinstance(request.data, dict) and request.data.get("action") == workflow.Action.CORRECT:
            # Who may correct, and in which state, before what the body lacks (403/409 before 400).
            workflow.check_correction(request.user, claim, note=None)  # type: ignore[arg-type]
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if data["action"] == workflow.Action.CORRECT:
            workflow.correct_verdict(
                claim.pk,
                request.user,  # type: ignore[arg-type]
                VerdictWriteSerializer.content_of(data["verdict"]),
                note=data.get("comment", ""),
                expected_version=data.get("version"),
            )
            moved = Claim.objects.get(pk=claim.pk)
            return Response({"id": moved.pk, "status": moved.status, "version": moved.version})
        moved = workflow.transition(
            claim.pk,
            request.user,  # type: ignore[arg-type]
            data["action"],
            comment=data.get("comment", ""),
            expected_version=data.get("version"),
            recheck_after=data.get("recheck_after"),
        )
        return Response({"id": moved.pk, "status": moved.status, "version": moved.version})

    @extend_schema(
        parameters=[LANG_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="ClaimReview JSON-LD of one published claim",
    )
    @action(detail=True, methods=["get"])
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        claim = get_object_or_404(self.get_queryset().filter(status=ClaimStatus.PUBLISHED), pk=int(pk or 0))
        languages = wanted_languages(request)
        self._last_modified = claim.updated_at
        return Response(claim_review(claim, languages[0] if languages else None))


@extend_schema(
    parameters=[LANG_PARAMETER], responses={200: OpenApiTypes.OBJECT}, summary="DataFeed of all published ClaimReviews"
)
class ClaimReviewFeedView(ConditionalMixin, APIView):
    """A schema.org DataFeed of every published review, cursor-paginated like the claims list."""

    permission_classes = [ReadOrAuthenticated]
    pagination_class = Cursor

    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        queryset = (
            Claim.objects.published()
            .select_related("claimant", "verdict")
            .prefetch_related(
                "translations",
                "verdict__texts",
                Prefetch(
                    "appearances",
                    queryset=Appearance.objects.select_related("source__outlet").order_by("-is_first", "id"),
                ),
            )
        )
        rows = list(paginator.paginate_queryset(queryset, request, view=self) or [])
        languages = wanted_languages(request)
        self._last_modified = max((c.updated_at for c in rows), default=None)
        feed = data_feed([claim_review(claim, languages[0] if languages else None) for claim in rows])
        response = paginator.get_paginated_response(feed)
        response.data = {**feed, "next": response.data["next"], "previous": response.data["previous"]}
        return response


# --- Sources, actors, outlets, ratings -----------------------------------------------------------------


def visible_sources(user: Any) -> QuerySet[Source]:
    if is_newsroom(user):
        return Source.objects.all()
    return public_sources()


class SourceFilter(StrictFilterSet):
    language = LanguageFilter(field_name="language")
    outlet = IdFilter(field_name="outlet_id")
    fetch_status = django_filters.ChoiceFilter(field_name="fetch_status", choices=Source.FetchStatus.choices)
    link_status = django_filters.ChoiceFilter(field_name="link_status", choices=Source.LinkStatus.choices)

    class Meta:
        model = Source
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Sources cited by public claims (staff: all)"),
    retrieve=extend_schema(summary="One source with its text"),
    create=extend_schema(
        request=SourceDetailSerializer, responses={201: SourceDetailSerializer}, summary="Register a source"
    ),
)
class SourceViewSet(
    ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    lookup_value_regex = "[0-9]+"
    permission_classes = [ReadOrAuthenticated]
    pagination_class = Cursor
    filterset_class = SourceFilter
    queryset = Source.objects.none()

    def get_queryset(self) -> QuerySet[Source]:
        return visible_sources(self.request.user).select_related("outlet")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return SourceSerializer if self.action == "list" else SourceDetailSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request, "sources.add_source", _("register sources"))  # before validation says anything
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        source = Source(**serializer.validated_data, created_by=self.request.user)  # type: ignore[misc]
        source.full_clean()
        with transaction.atomic():
            source.save()
            if source.url:  # fetched and archived after the commit; what was left out is filled in
                request_fetch(source)
        serializer.instance = source

    @extend_schema(
        request=None,
        responses={202: SourceDetailSerializer},
        summary="Fetch a source's page again",
        description="Archives a new snapshot and fills in the title, text and language the source lacks; "
        "`fetch_status` is `pending` until the fetch is done.",
    )
    @action(detail=True, methods=["post"])
    def fetch(self, request: Request, pk: str | None = None) -> Response:
        require_perm(request, "sources.change_source", _("fetch sources"))
        source = self.get_object()
        if not source.url:
            raise exceptions.ValidationError({"url": [_("This source has no URL to fetch.")]})
        if source.fetch_status != Source.FetchStatus.PENDING:
            with transaction.atomic():
                request_fetch(source)
        source.refresh_from_db()
        return Response(SourceDetailSerializer(source, context=self.get_serializer_context()).data, status=202)


def visible_actors(user: Any) -> QuerySet[Actor]:
    if is_newsroom(user):
        return Actor.objects.all()
    return public_actors()


@extend_schema_view(
    list=extend_schema(summary="Actors of public claims (staff: all)"),
    create=extend_schema(summary="Register an actor with its aliases"),
)
class ActorViewSet(
    ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    lookup_value_regex = "[0-9]+"
    permission_classes = [ReadOrAuthenticated]
    pagination_class = Cursor
    serializer_class = ActorSerializer
    queryset = Actor.objects.none()

    def get_queryset(self) -> QuerySet[Actor]:
        return visible_actors(self.request.user).prefetch_related("aliases")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request, "sources.add_actor", _("register actors"))
        return super().create(request, *args, **kwargs)


@extend_schema_view(list=extend_schema(summary="Outlets of visible sources"))
class OutletViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"
    permission_classes = [ReadOrAuthenticated]
    pagination_class = Cursor
    serializer_class = OutletSerializer
    queryset = Outlet.objects.none()

    def get_queryset(self) -> QuerySet[Outlet]:
        if is_newsroom(self.request.user):
            return Outlet.objects.all()
        return Outlet.objects.filter(pk__in=visible_sources(self.request.user).values("outlet_id"))


RatingScaleSerializer = inline_serializer(
    "RatingScale",
    {
        "best": serializers.IntegerField(),
        "worst": serializers.IntegerField(),
        "results": inline_serializer(
            "Rating",
            {
                "slug": serializers.CharField(),
                "label": serializers.CharField(),
                "labels": serializers.DictField(child=serializers.CharField()),
                "value": serializers.IntegerField(),
                "class": serializers.ChoiceField(choices=RatingClass.choices),
            },
            many=True,
        ),
    },
)


@extend_schema(responses={200: RatingScaleSerializer}, parameters=[LANG_PARAMETER], summary="The rating scale")
class RatingListView(ConditionalMixin, APIView):
    permission_classes = [ReadOrAuthenticated]

    def get(self, request: Request) -> Response:
        languages = wanted_languages(request) or [settings.LANGUAGE_CODE]
        scale = rating_scale()
        ratings = sorted((r for r in scale.ratings.values() if r.is_active), key=lambda r: -r.value)
        return Response(
            {
                "best": scale.best,
                "worst": scale.worst,
                "results": [
                    {
                        "slug": r.slug,
                        "label": r.label(languages[0]),
                        "labels": r.labels,
                        "value": r.value,
                        "class": r.rating_class,
                    }
                    for r in ratings
                ],
            }
        )


# --- OpenAPI -------------------------------------------------------------------------------------------

_ERROR = {"$ref": "#/components/schemas/Error"}
_ERRORS = {
    "400": "Bad input: the message says what, `fields` says where.",
    "401": "Writing needs a token.",
    "403": "Your account may not do this (role, or four eyes).",
    "404": "No such object, or not public.",
    "409": "The claim is not in a state that allows this, or changed since you read it.",
    "429": "Too many requests: slow down.",
}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the one error shape to the schema and the error answers to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "code", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": True},
                },
            }
        },
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            # Any request may carry a bad token (401), ask for what it may not see (403: ?status= for
            # anonymous), or name a missing row or an invalid cursor (404).
            codes = ["400", "401", "403", "404", "429"]
            if method in ("post", "put") and "{id}" in path:
                codes.append("409")
            if method == "get":
                # Reads are open: anonymous is a valid way to call them.
                operation["security"] = [*operation.get("security", []), {}]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": _ERRORS[code], "content": {"application/json": {"schema": _ERROR}}}
                )
    return result
