"""The REST API's plumbing shared by every app, and the serializers of outlets, sources and actors.

Plumbing: the one JSON error shape, cursor pagination with a validated ``page_size``, and the text
limits. The endpoints themselves live in ``claims.api``, because what the public may see of a source
or an actor depends on the claims that cite them.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.utils.encoders import JSONEncoder as DRFJSONEncoder

from .errors import DomainError
from .languages import MAX_TAG_LENGTH, TAG_PATTERN, normalize_language_tag
from .models import Actor, Outlet, Source

#: Text limits, in characters (documented in the OpenAPI schema and the README).
MAX_CLAIM_TEXT = 5_000
MAX_QUOTE = 5_000
MAX_EXPLANATION = 20_000
MAX_SOURCE_TEXT = 500_000
MAX_COMMENT = 5_000


# --- Errors -------------------------------------------------------------------------------------------


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = [_flatten(item) for item in detail]
        return flat
    return str(detail)


def _first_message(fields: Any) -> str:
    if isinstance(fields, dict):
        for key, value in fields.items():
            message = _first_message(value)
            return message if key in ("non_field_errors", "__all__") else f"{key}: {message}"
    if isinstance(fields, list) and fields:
        return _first_message(fields[0])
    return str(fields)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as ``{"error": {"status", "code", "message", "fields"?}}``, never an HTML page."""
    # Imported here: DRF's views module reads the settings that name this module (an import cycle).
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DomainError):
        exc = _DomainAPIError(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"status": response.status_code, "code": _code(exc)}
    detail = getattr(exc, "detail", None)
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict | list):
        fields = _flatten(detail)
        body["message"] = _first_message(fields)
        if isinstance(fields, dict):
            body["fields"] = fields
    else:
        body["message"] = str(detail) if detail is not None else str(exc)
    response.data = {"error": body}
    return response


def _code(exc: Exception) -> str:
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    if isinstance(codes, str):
        return codes
    return getattr(exc, "default_code", "error")


class _DomainAPIError(exceptions.APIException):
    def __init__(self, error: DomainError) -> None:
        self.status_code = error.status_code
        self.default_code = {403: "not_allowed", 409: "conflict"}.get(error.status_code, "invalid")
        super().__init__(detail=error.message, code=self.default_code)


# --- Access -------------------------------------------------------------------------------------------


class ReadOrAuthenticated(BasePermission):
    """Anyone reads; writing needs a token (or session) — what it may write, the model perms and the
    workflow decide."""

    message = "Writing needs an API token: send `Authorization: Token <key>`."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or bool(request.user and request.user.is_authenticated)


class AnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str:
        return settings.API_ANON_RATE


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str:
        return settings.API_USER_RATE


# --- Pagination ---------------------------------------------------------------------------------------


class Cursor(CursorPagination):
    """Cursor pagination: stable under inserts, as fast on page 1,000 as on page 1."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-id"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}]}
            )
        return size

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        # A search orders by relevance (claims.search annotates the rank, 1 = best): page along it.
        if "search_rank" in getattr(queryset.query, "annotations", {}):
            return ("search_rank",)
        return super().get_ordering(request, queryset, view)  # type: ignore[return-value]

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = _("Results per page, from 1 to %(max)d (default %(default)d).") % {
                    "max": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters


# --- Fields ---------------------------------------------------------------------------------------


MAX_ID = 2**63 - 1


class Text(serializers.CharField):
    """A string, and only a string: a number or a list where text belongs is a 400, not coerced."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ObjectId(serializers.PrimaryKeyRelatedField):
    """A reference by id: a whole number the database can hold, else a 400 (not an overflow)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= number <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(number)


class OrjsonRenderer(JSONRenderer):
    """DRF's JSON, written by orjson: the same bytes, several times faster on a page of claims.

    Dates and anything orjson does not know go through DRF's own encoder (``Z`` for UTC, lazy strings,
    decimals), and U+2028/U+2029 are escaped as DRF escapes them, so a client cannot tell the two apart
    (``tests/test_api_fast.py`` compares them). An ``indent`` asked for in the Accept header (the
    browsable API asks for one) is left to DRF. One difference: a float with a small exponent is
    written ``1e-7`` where Python writes ``1e-07`` (both JSON; the API sends no floats).
    """

    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            text = orjson.dumps(data, default=_encoder.default, option=self._options)
        except orjson.JSONEncodeError:  # what orjson refuses (an integer beyond 64 bits): DRF decides
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in text or b"\xe2\x80\xa9" in text:
            text = text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return text


_encoder = DRFJSONEncoder()


class SafeJSONParser(JSONParser):
    """DRF's parser, plus: JSON nested deep enough to exhaust the recursion limit is a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error: nested too deeply.")) from None


#: The OpenAPI schema of a language tag (the registry check behind it no pattern can state).
LANGUAGE_TAG_SCHEMA = {
    "type": "string",
    "minLength": 2,
    "maxLength": MAX_TAG_LENGTH,
    "pattern": TAG_PATTERN,
    "description": "A BCP 47 language tag naming a registered language, e.g. `vi`, `en`, `pt-BR`.",
}


@extend_schema_field(LANGUAGE_TAG_SCHEMA)
class LanguageTagField(serializers.CharField):
    """A BCP 47 tag, answered in canonical form; an unknown tag is a 400 with the reason."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 35)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        try:
            return normalize_language_tag(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


# --- Serializers ----------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "format": "iri",  # Django takes internationalised addresses (a path in Vietnamese, say)
        "maxLength": 2048,
        "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
        r"(:[0-9]{1,5})?([/?#]\S*)?$",
        "description": "An http(s) address on the public web, or blank for a source with no address "
        "(a printed paper, a broadcast).",
    }
)
class WebURL(serializers.URLField):
    """An http(s) URL; ``mailto:`` or ``ftp:`` addresses are refused with a message."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)]
        self.validators.append(
            URLValidator(schemes=["http", "https"], message=gettext_lazy("Enter an http(s) address."))
        )


class OutletSerializer(serializers.ModelSerializer):
    language = LanguageTagField(required=False, allow_blank=True)  # documented as a tag or blank

    class Meta:
        model = Outlet
        fields = ["id", "name", "home_url", "domain", "country", "language"]


class SourceSerializer(serializers.ModelSerializer):
    """A source as listed: everything but its text.

    A source given a ``url`` may leave out its title and language (and text): the page is fetched, and
    what was left out is filled in from it; ``fetch_status`` says how that went.
    """

    url = WebURL(max_length=2048, required=False, allow_blank=True)
    language = LanguageTagField(required=False, allow_blank=True)
    outlet = ObjectId(queryset=Outlet.objects.all(), allow_null=True, required=False)
    title = Text(max_length=500, required=False, allow_blank=True)
    published_at = serializers.DateTimeField(required=False, allow_null=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "url",
            "title",
            "language",
            "published_at",
            "outlet",
            "kind",
            "content_hash",
            "fetch_status",
            "fetch_error",
            "fetched_at",
            "link_status",
            "link_checked_at",
            "created_at",
        ]
        read_only_fields = [
            "content_hash",
            "fetch_status",
            "fetch_error",
            "fetched_at",
            "link_status",
            "link_checked_at",
            "created_at",
        ]
        extra_kwargs = {"kind": {"required": False}}

    def validate_url(self, value: str) -> str:
        if value and Source.objects.filter(url=value).exists():
            raise serializers.ValidationError(_("A source with this URL is already registered."))
        return value

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # Why a fetch failed is the newsroom's business (it can name what our resolver found for a host).
        if "fetch_error" in data and not (user and user.is_authenticated and user.has_perm("sources.view_source")):
            data["fetch_error"] = ""
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("url"):
            missing = {}
            if not attrs.get("title"):
                missing["title"] = [_("Give a title, or a URL to take it from.")]
            if not attrs.get("language"):
                missing["language"] = [_("Give the language, or a URL to detect it from.")]
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class SourceDetailSerializer(SourceSerializer):
    """A source with its text (quotes of claims point into it by character offsets)."""

    text = Text(max_length=MAX_SOURCE_TEXT, allow_blank=True, required=False, trim_whitespace=False)

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]


class ActorSerializer(serializers.ModelSerializer):
    name = Text(max_length=200)
    description = Text(required=False, allow_blank=True, max_length=MAX_COMMENT)
    country = Text(required=False, allow_blank=True, max_length=2)
    wikidata_id = Text(required=False, allow_blank=True, max_length=20)
    aliases = serializers.ListField(
        child=Text(max_length=200),
        source="alias_names",
        required=False,
        max_length=100,
        help_text="Other names and spellings, in any script.",
    )

    class Meta:
        model = Actor
        fields = ["id", "name", "kind", "description", "country", "wikidata_id", "aliases"]

    def validate_wikidata_id(self, value: str) -> str:
        if value and Actor.objects.filter(wikidata_id=value).exists():
            raise serializers.ValidationError(_("An actor with this Wikidata ID already exists."))
        return value

    def validate_aliases(self, value: list[str]) -> list[str]:
        seen: list[str] = []
        for alias in value:
            alias = alias.strip()
            if alias and alias not in seen:
                seen.append(alias)
        return seen

    def create(self, validated_data: dict[str, Any]) -> Actor:
        aliases = validated_data.pop("alias_names", [])
        return Actor.objects.create_with_aliases(aliases=aliases, **validated_data)


def json_error(request: Any, status: int, message: str) -> Any:
    """The API's error shape for errors Django answers before DRF (unknown routes, oversized bodies)."""
    from django.http import JsonResponse

    code = {400: "invalid", 404: "not_found"}.get(status, "error")
    return JsonResponse({"error": {"status": status, "code": code, "message": message}}, status=status)
