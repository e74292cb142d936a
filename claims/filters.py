"""The filters of the public ``/claims/`` page: a search box and a few choices, as a GET form.

Bad input (an unknown rating, a date like 2019-02-30) comes back as form errors on the page, never a
500; choices are computed from what is public (the languages of public claims, the outlets of the
sources they cite), so the form never names anything unpublished.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sources.api import MAX_ID
from sources.languages import language_name

from .models import Claim
from .ratings import rating_scale
from .search import MAX_QUERY_LENGTH, search_claims
from .selectors import public_outlets

LANGUAGES_CACHE_KEY = "claims:public-languages:v1"


class SearchesLast(django_filters.FilterSet):
    """A filter set whose search (``q``) runs after its other filters, wherever it is declared: a search
    ranks at most MAX_RESULTS claims, so a filter applied after it would only thin those out (a claimant's
    older matches lost behind newer ones by others). Within one language, claimant, rating, rating class,
    outlet, source or mentioned actor the search also reads only their claims' matches
    (``claims.search._filter_facets``). The public list and the API."""

    def filter_queryset(self, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        data = self.form.cleaned_data
        for name, value in data.items():
            if name != "q":
                queryset = self.filters[name].filter(queryset, value)
        search = self.filters.get("q")  # a subclass may have none (the exports)
        return queryset if search is None else search.filter(queryset, data.get("q"))


def public_languages() -> list[str]:
    """The original languages of public claims (cached for five minutes: a choice list, not a gate)."""
    languages = cache.get(LANGUAGES_CACHE_KEY)
    if languages is None:
        languages = sorted(set(Claim.objects.public().order_by().values_list("language", flat=True).distinct()))
        cache.set(LANGUAGES_CACHE_KEY, languages, 300)
    return languages


class IdFilter(django_filters.NumberFilter):
    """A whole number the database can hold: ``1.5`` or a 30-digit number is a form error."""

    field_class = forms.IntegerField


class PublicClaimFilter(SearchesLast):
    q = django_filters.CharFilter(
        method="search",
        max_length=MAX_QUERY_LENGTH,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words, names, places…")}),
    )
    rating = django_filters.ChoiceFilter(field_name="verdict__rating__slug", label=_("Rating"), empty_label=_("Any"))
    language = django_filters.ChoiceFilter(field_name="language", label=_("Original language"), empty_label=_("Any"))
    outlet = django_filters.ModelChoiceFilter(
        method="filter_outlet", queryset=None, label=_("Appeared in"), empty_label=_("Any")
    )
    claimant = IdFilter(field_name="claimant_id", widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    published_from = django_filters.DateFilter(
        field_name="published_at__date",
        lookup_expr="gte",
        label=_("Published from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_to = django_filters.DateFilter(
        field_name="published_at__date",
        lookup_expr="lte",
        label=_("Published until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "vi"
        scale = rating_scale()
        self.filters["rating"].extra["choices"] = [
            (r.slug, r.label(language)) for r in sorted(scale.ratings.values(), key=lambda r: -r.value) if r.is_active
        ]
        self.filters["language"].extra["choices"] = [(tag, language_name(tag, language)) for tag in public_languages()]
        self.filters["outlet"].queryset = public_outlets().order_by("name")

    def search(self, queryset: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        return search_claims(queryset, value)

    def filter_outlet(self, queryset: QuerySet[Claim], name: str, value: Any) -> QuerySet[Claim]:
        return queryset.filter(pk__in=Claim.objects.filter(appearances__source__outlet=value).values("pk"))
