"""The claims list's fast path (``claims.api_fast``) and the orjson renderer give the bytes the
serializers and DRF's renderer gave: the same answer for every kind of claim, language and filter."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any
from urllib.parse import urlsplit

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient

from claims import workflow
from claims.api import ClaimViewSet
from claims.models import Claim, ClaimTranslation, Verdict, VerdictText
from claims.workflow import Action, VerdictContent
from sources.api import OrjsonRenderer

from .factories import (
    ActorFactory,
    AppearanceFactory,
    ClaimFactory,
    OutletFactory,
    SourceFactory,
    TranslationFactory,
    rating,
    ready_claim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]

CLAIMS = "/api/v1/claims/"


def serializer_list(self: ClaimViewSet, request: Request, *args: Any, **kwargs: Any) -> Response:
    """The list as it was: model instances with their prefetches, through ``ClaimSerializer``."""
    queryset = self.filter_queryset(self.get_queryset())
    rows = list(self.paginate_queryset(queryset) or [])
    self._last_modified = max((c.updated_at for c in rows), default=None)
    return self.get_paginated_response(self.get_serializer(rows, many=True).data)


def both(monkeypatch: pytest.MonkeyPatch, client: APIClient, path: str, **headers: str) -> tuple[Any, Any]:
    """The fast answer, and the serializer's through DRF's own renderer, to the same request."""
    fast = client.get(path, **headers)
    with monkeypatch.context() as patched:
        patched.setattr(ClaimViewSet, "list", serializer_list)
        patched.setattr(ClaimViewSet, "renderer_classes", [JSONRenderer])
        slow = client.get(path, **headers)
    return fast, slow


def publish(claim: Claim, editor: Any, publisher: Any) -> Claim:
    workflow.transition(claim.pk, claim.author, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.APPROVE)
    return workflow.transition(claim.pk, publisher, Action.PUBLISH)


@pytest.fixture
def varied(researcher, editor, publisher) -> dict[str, Any]:
    """Public claims of every shape the list meets, and a draft with nothing but its wording."""
    claimant = ActorFactory(name="Ahmed al-Mismari")
    outlet = OutletFactory(name="Tin tức")
    shared_source = SourceFactory(outlet=outlet, published_at=dt.datetime(2019, 4, 7, 23, 30, tzinfo=dt.UTC))
    plain = publish(ready_claim(researcher, claimant=claimant, claim_date=dt.date(2019, 4, 8)), editor, publisher)

    # French original, English by machine, Vietnamese by hand; verdict in French only; a source with no
    # address (its link is our page), no outlet, no date; then two more appearances, not first.
    french = ClaimFactory(author=researcher, text="Le GNA ne contrôle que 7 % du territoire « libyen »", language="fr")
    TranslationFactory(claim=french, language="en", text="The GNA controls only 7%", origin="machine")
    TranslationFactory(claim=french, language="vi", text="GNA chỉ kiểm soát 7%", origin="human")
    AppearanceFactory(claim=french, source=SourceFactory(url="", outlet=None, published_at=None))
    AppearanceFactory(claim=french, source=shared_source, is_first=False)
    AppearanceFactory(
        claim=french,
        source=SourceFactory(outlet=outlet, published_at=dt.datetime(2019, 4, 9, tzinfo=dt.UTC)),
        is_first=False,
    )
    verdict = Verdict.objects.create(claim=french, rating=rating("mostly-false"), author=researcher)
    VerdictText.objects.create(verdict=verdict, language="fr", headline="Plutôt faux", explanation="Voir « ici ».")
    publish(french, editor, publisher)

    # A British English translation names the slug; a verdict in neither the reader's nor the claim's
    # language; odd characters (line separators, quotes, emoji, a tab) in the wording.
    odd = ClaimFactory(author=researcher, text='Haftar "75 tuổi"\u2028— 😀\tthật?', language="vi")
    TranslationFactory(claim=odd, language="en-GB", text="Haftar is 75 years old")
    AppearanceFactory(claim=odd, source=shared_source, quote="viên tướng chỉ huy 75 tuổi này")
    verdict = Verdict.objects.create(
        claim=odd,
        rating=rating("unproven"),
        author=researcher,
        valid_as_of=dt.date(2019, 4, 10),
        recheck_after=dt.date(2019, 5, 1),
    )
    VerdictText.objects.create(verdict=verdict, language="ar", headline="غير مثبت", explanation="لا مصدر.")
    VerdictText.objects.create(verdict=verdict, language="vi", headline="Chưa rõ", explanation="Không có nguồn.")
    publish(odd, editor, publisher)
    verdict.texts.filter(language="vi").delete()  # as no workflow step leaves it, but a list must not break

    corrected = publish(ready_claim(researcher, claimant=claimant), editor, publisher)
    workflow.correct_verdict(
        corrected.pk,
        publisher,
        VerdictContent(rating="false", texts={"vi": ("Sai", "Bộ Y tế nói khác."), "en": ("False", "No.")}),
        note="The ministry's statement changed the rating.",
    )
    retracted = publish(ready_claim(researcher, text="ít nhất đã có 14 binh sĩ LNA thiệt mạng"), editor, publisher)
    workflow.transition(retracted.pk, publisher, Action.RETRACT, comment="Misattributed.")
    retracted.mentions.add(claimant)

    draft = ClaimFactory(author=researcher, text="Một bản nháp chưa có phán quyết")
    return {
        "claimant": claimant,
        "outlet": outlet,
        "source": shared_source,
        "claims": [plain, french, odd, corrected, retracted],
        "draft": draft,
    }


LANGUAGES = ["", "?lang=en", "?lang=vi", "?lang=fr", "?lang=pt-BR", "?lang=en-GB", "?lang=ar"]


@pytest.mark.parametrize("query", LANGUAGES)
def test_the_list_is_byte_for_byte_the_serializers_in_every_language(monkeypatch, varied, query):
    fast, slow = both(monkeypatch, APIClient(), f"{CLAIMS}{query}")
    assert fast.status_code == slow.status_code == 200
    assert len(fast.json()["results"]) == 5
    assert fast.content == slow.content
    assert fast["ETag"] == slow["ETag"] and fast["Last-Modified"] == slow["Last-Modified"]


@pytest.mark.parametrize("accept", ["fr-CA,fr;q=0.9", "en-GB,en;q=0.8", "vi", "xx-invalid,*;q=0.1", ""])
def test_the_list_follows_accept_language_as_the_serializers_did(monkeypatch, varied, accept):
    fast, slow = both(monkeypatch, APIClient(), CLAIMS, HTTP_ACCEPT_LANGUAGE=accept)
    assert fast.content == slow.content


def filters(varied: dict[str, Any]) -> list[str]:
    return [
        "language=fr",
        "rating=false",
        "rating_class=FALSE",
        f"claimant={varied['claimant'].pk}",
        f"source={varied['source'].pk}",
        f"outlet={varied['outlet'].pk}",
        f"mentions={varied['claimant'].pk}",
        "published_after=2000-01-01T00:00:00Z",
        "updated_since=2100-01-01T00:00:00Z",
        "q=Haftar",
        "q=7%25&lang=en",
    ]


def test_every_filter_gives_the_serializers_answer(monkeypatch, varied):
    client = APIClient()
    for query in filters(varied):
        fast, slow = both(monkeypatch, client, f"{CLAIMS}?{query}&lang=fr")
        assert fast.status_code == 200, (query, fast.content)
        assert fast.content == slow.content, query


def test_every_page_and_its_links_are_the_serializers(monkeypatch, varied):
    client, path, seen = APIClient(), f"{CLAIMS}?page_size=2&lang=en", []
    while path:
        fast, slow = both(monkeypatch, client, path)
        assert fast.content == slow.content, path
        body = fast.json()
        seen += [row["id"] for row in body["results"]]
        path = body["next"] and "{0.path}?{0.query}".format(urlsplit(body["next"]))
    assert sorted(seen, reverse=True) == seen and len(seen) == 5


def test_staff_listing_drafts_without_verdict_or_quotes_gets_the_serializers_answer(monkeypatch, varied, editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    fast, slow = both(monkeypatch, client, f"{CLAIMS}?status=draft&lang=en")
    [row] = fast.json()["results"]
    assert row["id"] == varied["draft"].pk
    assert (row["url"], row["verdict"], row["appearances"]) == (None, None, [])
    assert fast.content == slow.content


def test_an_empty_page_is_one_query(varied, django_assert_num_queries):
    client = APIClient()
    client.get(CLAIMS)  # warms the cached rating scale
    with django_assert_num_queries(1):
        assert client.get(CLAIMS, {"language": "de"}).json()["results"] == []
    with django_assert_num_queries(4):  # claims (+ claimant, verdict), translations, verdict texts, appearances
        assert len(client.get(CLAIMS).json()["results"]) == 5


def test_the_retraction_and_the_correction_show_in_the_list(varied):
    rows = {row["id"]: row for row in APIClient().get(CLAIMS, {"lang": "en"}).json()["results"]}
    _plain, french, odd, corrected, retracted = varied["claims"]
    assert rows[retracted.pk]["retraction"]["reason"] == "Misattributed."
    assert rows[retracted.pk]["retraction"]["retracted_at"].endswith("Z")
    assert rows[corrected.pk]["verdict"]["rating"]["slug"] == "false"
    assert rows[odd.pk]["url"].endswith(f"/en/claims/{odd.pk}-haftar-is-75-years-old/")
    assert rows[odd.pk]["verdict"]["language"] == "ar"
    assert rows[french.pk]["localized"] == {"language": "en", "text": "The GNA controls only 7%", "origin": "machine"}
    assert [a["is_first"] for a in rows[french.pk]["appearances"]] == [True, False, False]
    assert rows[french.pk]["appearances"][0]["source_url"].endswith(
        f"/en/sources/{rows[french.pk]['appearances'][0]['source']}/"
    )
    assert ClaimTranslation.objects.filter(claim=odd, language="en-GB").exists()


# --- The renderer ----------------------------------------------------------------------------------------


def test_the_orjson_renderer_writes_drf_s_bytes_for_any_text_and_every_date_kind():
    chars = [chr(i) for i in range(0x80)] + ["\u2028", "\u2029", "é", "ệ", "😀", "\ufeff", "\u00a0", "\u0085"]
    generator = random.Random(8)
    values: list[Any] = ["".join(generator.choice(chars) for _ in range(generator.randint(0, 30))) for _ in range(500)]
    values += [
        dt.datetime(2019, 4, 7, 23, 30, 5, 123456, tzinfo=dt.UTC),
        dt.datetime(2019, 4, 7, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        dt.datetime(2019, 4, 7, 23, 30),
        dt.date(2019, 4, 8),
        dt.time(7, 30),
        {"nested": [1, True, None, {3: "int key"}]},
        (1, 2),
        2**63 - 1,
        -(2**63),
    ]
    for value in values:
        data = {"value": value, "list": [value]}
        assert OrjsonRenderer().render(data) == JSONRenderer().render(data), value
    assert OrjsonRenderer().render(None) == b""


def test_the_orjson_renderer_leaves_indented_answers_and_huge_numbers_to_drf():
    data = {"a": [1, {"b": "ệ"}], "big": 2**70}
    assert OrjsonRenderer().render(data, "application/json; indent=4") == JSONRenderer().render(
        data, "application/json; indent=4"
    )
    assert json.loads(OrjsonRenderer().render(data)) == data


def test_the_api_answers_with_the_orjson_renderer_and_browsers_still_get_the_browsable_api(varied):
    response = APIClient().get(CLAIMS)
    assert type(response.accepted_renderer) is OrjsonRenderer
    assert response["Content-Type"] == "application/json"
    page = APIClient().get(CLAIMS, HTTP_ACCEPT="text/html")
    assert page["Content-Type"].startswith("text/html")
    assert varied["claims"][0].text.encode() in page.content
