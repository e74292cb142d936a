"""The API's dataset downloads: ``/api/v1/exports/claims.csv`` and ``/api/v1/exports/claims.jsonl``.

Open to anyone and throttled like the rest of the API; what a row holds, and the rule that only public
claims are read, live in ``claims.exports``. The body is streamed: a download of the whole database starts at
once and never sits in the worker's memory. Bad input (a filter, ``lang``, a flag) is refused before
the first byte, with the API's JSON error; nothing past that point can turn into an error answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from sources.api import LANGUAGE_TAG_SCHEMA, AnonThrottle, LanguageTagField, ReadOrAuthenticated, UserThrottle

from .api import ConditionalMixin
from .exports import ExportFilter, ExportOptions, buffered, exportable_claims, iter_csv, iter_jsonl, iter_records
from .models import Claim


class ExportQuery(serializers.Serializer):
    """The export's own query parameters (the filters are the claims list's, see ``ExportFilter``)."""

    lang = LanguageTagField(required=False)
    include_retracted = serializers.BooleanField(required=False, default=False)
    bom = serializers.BooleanField(required=False, default=False)


class ErrorsInJSON(BaseContentNegotiation):
    """The format is in the path: whatever ``Accept`` says, the data is CSV or JSON Lines and an error is
    JSON (a browser asking for HTML, or a client asking for ``text/csv``, is not refused with a 406)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class ExportSchema(AutoSchema):
    """Documents the claims list's filters on these views, which answer one file rather than a list."""

    def get_filter_backends(self) -> list[Any]:
        return getattr(self.view, "filter_backends", [])


LANG = OpenApiParameter(
    "lang",
    LANGUAGE_TAG_SCHEMA,
    description=_(
        "Language of `rating_label`, `headline` and `explanation` (each falls back to the claim's own "
        "language) and of the linked public pages. Default: the site's language."
    ),
)
INCLUDE_RETRACTED = OpenApiParameter(
    "include_retracted",
    OpenApiTypes.BOOL,
    description=_("Also export retracted claims, with `retracted_at` and `retraction_reason`. Default: false."),
)
BOM = OpenApiParameter(
    "bom",
    OpenApiTypes.BOOL,
    description=_("Start the file with a UTF-8 byte order mark, for Microsoft Excel. Default: false."),
)
DESCRIPTION = _(
    "One row per published claim (never a draft or a claim in review, whoever asks), by ascending id: "
    "id, url, status, language, text, translations, claimant, claimant_id, claim_date, rating, rating_label, "
    "rating_class, rating_value, verdict_language, headline, explanation, appearances, published_at, "
    "updated_at (UTC), corrections_count. Takes the claims list's filters. The body is streamed."
)


class ClaimExportView(ConditionalMixin, GenericAPIView):
    """The two downloads differ only in their format."""

    extension = ""
    media_type = ""
    permission_classes = [ReadOrAuthenticated]
    throttle_classes = [AnonThrottle, UserThrottle]
    renderer_classes = [JSONRenderer]  # for errors: the data is streamed as it is
    content_negotiation_class = ErrorsInJSON
    filterset_class = ExportFilter
    pagination_class = None
    queryset = Claim.objects.none()
    schema = ExportSchema()

    def get(self, request: Request) -> StreamingHttpResponse:
        # A plain dict: DRF reads a blank value in a QueryDict as "not given", so `?lang=` would export in the
        # default language where every other endpoint (and the schema) refuses it with a 400.
        query = ExportQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        options = ExportOptions(
            language=query.validated_data.get("lang") or settings.LANGUAGE_CODE,
            include_retracted=query.validated_data["include_retracted"],
        )
        # The claims list's filter backend: a bad value is a 400 with the fields named, as there.
        claims: QuerySet[Claim] = self.filter_queryset(exportable_claims(options.include_retracted))
        # HEAD answers the headers only: no need to read the whole database for a body nobody receives.
        content = (
            []
            if request.method == "HEAD"
            else self.lines(iter_records(claims, options), options, query.validated_data["bom"])
        )
        response = StreamingHttpResponse(buffered(content), content_type=f"{self.media_type}; charset=utf-8")
        filename = f"claims-{timezone.localdate():%Y-%m-%d}.{self.extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def lines(self, records: Iterator[dict[str, Any]], options: ExportOptions, bom: bool) -> Iterator[str]:
        raise NotImplementedError  # each format's view says


@extend_schema_view(
    get=extend_schema(
        operation_id="exports_claims_csv",
        summary="Published claims as CSV",
        description=format_lazy(
            "{} {}",
            DESCRIPTION,
            _(
                "CSV: UTF-8, comma-separated, CRLF rows, header first; `translations` is a JSON array in one cell, "
                "`first_appearance_url` and `appearances_count` stand for the appearances. A cell starting with "
                "=, +, -, @, a tab or a carriage return gets a leading apostrophe (spreadsheet formula injection)."
            ),
        ),
        parameters=[LANG, INCLUDE_RETRACTED, BOM],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=_("The CSV file, as an attachment."))
        },
    )
)
class ClaimsCSVExportView(ClaimExportView):
    extension = "csv"
    media_type = "text/csv"

    def lines(self, records: Iterator[dict[str, Any]], options: ExportOptions, bom: bool) -> Iterator[str]:
        return iter_csv(records, include_retracted=options.include_retracted, bom=bom)


@extend_schema_view(
    get=extend_schema(
        operation_id="exports_claims_jsonl",
        summary="Published claims as JSON Lines",
        description=format_lazy(
            "{} {}",
            DESCRIPTION,
            _(
                "JSON Lines: one JSON object per line, UTF-8; `translations` is a list of {language, text, origin}, "
                "`appearances` a list of {source_id, url, quote, outlet}."
            ),
        ),
        parameters=[LANG, INCLUDE_RETRACTED],
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR, description=_("The JSON Lines file, as an attachment.")
            )
        },
    )
)
class ClaimsJSONLExportView(ClaimExportView):
    extension = "jsonl"
    media_type = "application/x-ndjson"

    def lines(self, records: Iterator[dict[str, Any]], options: ExportOptions, bom: bool) -> Iterator[str]:
        return iter_jsonl(records)
