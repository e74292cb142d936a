"""Finding claims by words: one entry point for the API's ``q``, the public ``/claims/`` page and the admin.

This is the plain version (every word, case-insensitively, in the wording, a translation, the
claimant's names or a quote); the multilingual search replaces the inside of ``search_claims`` and
every caller follows.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Claim

#: Words of a query that are used; the rest are ignored (a pasted paragraph is not a query).
MAX_QUERY_WORDS = 10
MAX_QUERY_LENGTH = 200


def search_claims(queryset: QuerySet[Claim], query: str) -> QuerySet[Claim]:
    """The claims of ``queryset`` that match every word of ``query`` somewhere."""
    words = query.split()[:MAX_QUERY_WORDS]
    if not words:
        return queryset
    condition = Q()
    for word in words:
        condition &= (
            Q(text__icontains=word)
            | Q(translations__text__icontains=word)
            | Q(claimant__name__icontains=word)
            | Q(claimant__aliases__name__icontains=word)
            | Q(appearances__quote__icontains=word)
        )
    # A subquery, not a join: no duplicate rows, and the caller's ordering stays on claims.
    return queryset.filter(pk__in=Claim.objects.filter(condition).values("pk"))
