"""Datasets for researchers: published claims as CSV and JSON Lines, from the API and the command.

What a row holds (texts with their marks, newlines and quotes intact; formulas defused in CSV), that
nothing unpublished is ever exported whoever asks, retractions only when asked, the claims list's
filters and their 400s, the language of labels and verdicts, the headers of the download, and a query
count that grows per chunk, not per claim."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import exports, workflow
from claims.exports import CSV_COLUMNS, RETRACTION_COLUMNS
from claims.models import Claim, ClaimStatus, ClaimTranslation, Verdict, VerdictText
from claims.ratings import rating_scale
from claims.workflow import Action, VerdictContent

from .factories import (
    ActorFactory,
    AppearanceFactory,
    ClaimFactory,
    rating,
    ready_claim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ratings")]

CSV_URL = "/api/v1/exports/claims.csv"
JSONL_URL = "/api/v1/exports/claims.jsonl"

WORDING = 'Ông al-Mismari khẳng định:\n"LNA tránh sử dụng máy bay chiến đấu" để giảm thiệt hại cho dân thường'
EXPLANATION_VI = 'Không có nguồn độc lập.\nẢnh vệ tinh cho thấy "máy bay" của LNA đã cất cánh ngày 7/4.'
FORMULA = '=HYPERLINK("https://evil.example","Bấm vào đây")'


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def body(response: Any) -> str:
    assert response.status_code == 200, response.content if not response.streaming else response
    assert response.streaming  # the body is streamed, never built in memory
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def jsonl_records(text: str) -> list[dict[str, Any]]:
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.split("\n") if line]


def exported_ids(fmt: str, response: Any) -> set[int]:
    text = body(response)
    if fmt == "csv":
        return {int(row["id"]) for row in csv_rows(text)}
    return {record["id"] for record in jsonl_records(text)}


def run_command(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_claims", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def publish(claim: Claim, editor: Any, publisher: Any) -> Claim:
    workflow.transition(claim.pk, claim.author, Action.SUBMIT)
    workflow.transition(claim.pk, editor, Action.APPROVE)
    return workflow.transition(claim.pk, publisher, Action.PUBLISH)


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["code"] and error["message"]
    return error


@pytest.fixture
def rich_claim(researcher, editor, publisher) -> Claim:
    """A published claim with everything a row shows: a claimant, a date, an English translation, two
    appearances, a verdict in Vietnamese and English (texts with newlines and quotes), a correction."""
    claimant = ActorFactory(name="Ahmed al-Mismari")
    claim = ClaimFactory(author=researcher, text=WORDING, claimant=claimant, claim_date=dt.date(2019, 4, 7))
    ClaimTranslation.objects.create(
        claim=claim, language="en", text='al-Mismari: "the LNA avoided using fighter jets"', origin="machine"
    )
    AppearanceFactory(claim=claim, quote="tránh sử dụng")
    AppearanceFactory(claim=claim, quote="ít nhất đã có 14 binh sĩ LNA thiệt mạng", is_first=False, source__url="")
    verdict = Verdict.objects.create(claim=claim, rating=rating("mostly-false"), author=researcher)
    VerdictText.objects.create(
        verdict=verdict, language="vi", headline="Phần lớn sai: LNA đã dùng máy bay", explanation=EXPLANATION_VI
    )
    VerdictText.objects.create(
        verdict=verdict, language="en", headline="Mostly false: the LNA flew", explanation="Satellite images."
    )
    publish(claim, editor, publisher)
    workflow.correct_verdict(
        claim.pk,
        publisher,
        VerdictContent(
            rating="false",
            texts={
                "vi": ("Sai: LNA đã dùng máy bay chiến đấu", EXPLANATION_VI),
                "en": ("False: the LNA used fighter jets", "Satellite images\nand two witnesses."),
            },
        ),
        note="Rated false after two witnesses confirmed the flights.",
    )
    return Claim.objects.get(pk=claim.pk)


@pytest.fixture
def claim_in_every_state(researcher, editor, publisher) -> dict[str, Claim]:
    claims = {status: ready_claim(researcher, text=f"Nhận định ở trạng thái {status}") for status in ClaimStatus.values}
    submit, approve, publish_, retract = (
        (researcher, Action.SUBMIT, ""),
        (editor, Action.APPROVE, ""),
        (publisher, Action.PUBLISH, ""),
        (publisher, Action.RETRACT, "Câu trích dẫn bị gán nhầm người nói."),
    )
    steps = {
        ClaimStatus.DRAFT: [],
        ClaimStatus.IN_REVIEW: [submit],
        ClaimStatus.CHANGES_REQUESTED: [submit, (editor, Action.REQUEST_CHANGES, "Nguồn?")],
        ClaimStatus.APPROVED: [submit, approve],
        ClaimStatus.PUBLISHED: [submit, approve, publish_],
        ClaimStatus.RETRACTED: [submit, approve, publish_, retract],
    }
    for status, path in steps.items():
        for user, action, comment in path:
            workflow.transition(claims[status].pk, user, action, comment=comment)
    return claims


def make_many_public(count: int, author: Any) -> list[Claim]:
    """Complete claims made public in bulk: the workflow is not what the query budget measures."""
    made = [ready_claim(author, text=f"Nhận định số {n}", claimant=ActorFactory()) for n in range(count)]
    Claim.objects.filter(pk__in=[c.pk for c in made]).update(status=ClaimStatus.PUBLISHED, published_at=timezone.now())
    return made


# --- What a row holds ----------------------------------------------------------------------------------


def test_a_csv_row_holds_the_claim_its_verdict_and_appearances_with_texts_intact(rich_claim):
    text = body(api().get(CSV_URL))
    assert text.startswith("id,url,status,")  # no byte order mark unless asked
    assert text.endswith("\r\n")
    assert next(csv.reader(io.StringIO(text))) == CSV_COLUMNS
    [row] = csv_rows(text)

    assert row["id"] == str(rich_claim.pk)
    assert (
        row["url"] == f"http://127.0.0.1:8000/vi/claims/{rich_claim.pk}-al-mismari-the-lna-avoided-using-fighter-jets/"
    )
    assert row["status"] == "published"
    assert row["language"] == "vi"
    assert row["text"] == WORDING  # newline, quotes and Vietnamese marks survive the round trip
    assert json.loads(row["translations"]) == [
        {"language": "en", "text": 'al-Mismari: "the LNA avoided using fighter jets"', "origin": "machine"}
    ]
    assert (row["claimant"], row["claimant_id"]) == ("Ahmed al-Mismari", str(rich_claim.claimant_id))
    assert row["claim_date"] == "2019-04-07"
    assert (row["rating"], row["rating_label"], row["rating_class"], row["rating_value"]) == (
        "false",
        "Sai",
        "FALSE",
        "2",
    )
    assert row["verdict_language"] == "vi"
    assert row["headline"] == "Sai: LNA đã dùng máy bay chiến đấu"
    assert row["explanation"] == EXPLANATION_VI
    assert row["first_appearance_url"].startswith("https://news.example/libya/")
    assert row["appearances_count"] == "2"
    published = dt.datetime.fromisoformat(row["published_at"])
    assert row["published_at"].endswith("Z") and published == rich_claim.published_at
    assert dt.datetime.fromisoformat(row["updated_at"]) == rich_claim.updated_at
    assert row["corrections_count"] == "1"
    assert "retracted_at" not in row and "internal_notes" not in row


def test_a_json_line_holds_translations_and_appearances_as_lists(rich_claim):
    [record] = jsonl_records(body(api().get(JSONL_URL)))
    assert list(record) == [
        "id",
        "url",
        "status",
        "language",
        "text",
        "translations",
        "claimant",
        "claimant_id",
        "claim_date",
        "rating",
        "rating_label",
        "rating_class",
        "rating_value",
        "verdict_language",
        "headline",
        "explanation",
        "appearances",
        "published_at",
        "updated_at",
        "corrections_count",
    ]
    assert record["text"] == WORDING
    assert record["translations"] == [
        {"language": "en", "text": 'al-Mismari: "the LNA avoided using fighter jets"', "origin": "machine"}
    ]
    first, archived = record["appearances"]
    assert first["quote"] == "tránh sử dụng" and first["url"].startswith("https://news.example/libya/")
    assert (
        first["outlet"].startswith("Báo Tin tức")
        and first["source_id"] == rich_claim.appearances.get(is_first=True).source_id
    )
    # A source with no address of its own is linked to its archived copy on the site.
    assert archived["url"] == f"http://127.0.0.1:8000/vi/sources/{archived['source_id']}/"
    assert (record["rating"], record["rating_value"], record["corrections_count"]) == (
        "false",
        rating("false").value,
        1,
    )
    assert record["claim_date"] == "2019-04-07" and record["claimant_id"] == rich_claim.claimant_id


def test_the_json_lines_are_one_claim_per_line_whatever_the_text_holds(researcher, editor, publisher):
    claim = ready_claim(researcher, text="dòng một\ndòng hai\u2028dòng ba\u2029dòng bốn\x85hết")
    publish(claim, editor, publisher)
    text = body(api().get(JSONL_URL))
    assert len(text.splitlines()) == 1  # str.splitlines breaks on U+2028, U+2029 and NEL too
    assert jsonl_records(text)[0]["text"] == claim.text


def test_a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(researcher, editor, publisher):
    claim = ready_claim(researcher, text=FORMULA, claimant=ActorFactory(name="@tin_gia"))
    VerdictText.objects.filter(verdict__claim=claim, language="vi").update(
        headline="-50% thương vong", explanation="+1"
    )
    publish(claim, editor, publisher)

    [row] = csv_rows(body(api().get(CSV_URL)))
    assert row["text"] == "'" + FORMULA
    assert row["claimant"] == "'@tin_gia"
    assert (row["headline"], row["explanation"]) == ("'-50% thương vong", "'+1")
    assert row["id"] == str(claim.pk)  # ordinary values are left alone
    # JSON Lines is read by programs, not spreadsheets: texts are exactly as written.
    [record] = jsonl_records(body(api().get(JSONL_URL)))
    assert (record["text"], record["claimant"], record["headline"]) == (FORMULA, "@tin_gia", "-50% thương vong")


def test_lang_picks_the_rating_label_and_verdict_text_and_falls_back_to_the_claim_s_language(rich_claim):
    [english] = jsonl_records(body(api().get(JSONL_URL, {"lang": "en"})))
    assert (english["rating_label"], english["verdict_language"]) == ("False", "en")
    assert english["headline"] == "False: the LNA used fighter jets"
    assert english["explanation"] == "Satellite images\nand two witnesses."
    assert english["url"].startswith("http://127.0.0.1:8000/en/claims/")
    assert english["text"] == WORDING  # the original wording is never replaced

    # No French verdict: the claim's own language (vi), and the scale's English label, as the API does.
    [french] = jsonl_records(body(api().get(JSONL_URL, {"lang": "fr"})))
    assert (french["verdict_language"], french["headline"]) == ("vi", "Sai: LNA đã dùng máy bay chiến đấu")
    assert french["rating_label"] == "False"
    assert french["url"].startswith("http://127.0.0.1:8000/vi/claims/")

    # Accept-Language does not change a dataset: only ?lang= does.
    [default] = jsonl_records(body(api().get(JSONL_URL, HTTP_ACCEPT_LANGUAGE="en")))
    assert default["rating_label"] == "Sai"


# --- Only what is published, whoever asks -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_drafts_reviews_and_approved_claims_are_never_exported_to_anyone(
    fmt, claim_in_every_state, editor, publisher, superuser
):
    url = CSV_URL if fmt == "csv" else JSONL_URL
    published, retracted = claim_in_every_state["published"], claim_in_every_state["retracted"]
    for client in (api(), api(editor), api(publisher), api(superuser)):
        assert exported_ids(fmt, client.get(url)) == {published.pk}
        assert exported_ids(fmt, client.get(url, {"include_retracted": "true"})) == {published.pk, retracted.pk}
        # The claims list's staff-only ?status= is not an export filter: it is ignored, not obeyed.
        assert exported_ids(fmt, client.get(url, {"status": "draft"})) == {published.pk}
    client = APIClient()
    client.force_login(superuser)  # a signed-in admin session, too
    assert exported_ids(fmt, client.get(url, {"include_retracted": "1"})) == {published.pk, retracted.pk}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_command_never_exports_unpublished_claims_either(fmt, claim_in_every_state):
    published, retracted = claim_in_every_state["published"], claim_in_every_state["retracted"]

    def exported(*args: str) -> set[int]:
        text = run_command("--format", fmt, *args)
        if fmt == "csv":
            return {int(row["id"]) for row in csv_rows(text)}
        return {record["id"] for record in jsonl_records(text)}

    assert exported() == {published.pk}
    assert exported("--include-retracted") == {published.pk, retracted.pk}


def test_retracted_claims_come_only_when_asked_with_their_retraction(claim_in_every_state):
    retracted = Claim.objects.get(pk=claim_in_every_state["retracted"].pk)

    text = body(api().get(CSV_URL, {"include_retracted": "true"}))
    assert next(csv.reader(io.StringIO(text))) == [*CSV_COLUMNS, *RETRACTION_COLUMNS]
    rows = {int(row["id"]): row for row in csv_rows(text)}
    assert rows[retracted.pk]["status"] == "retracted"
    assert dt.datetime.fromisoformat(rows[retracted.pk]["retracted_at"]) == retracted.retracted_at
    assert rows[retracted.pk]["retraction_reason"] == "Câu trích dẫn bị gán nhầm người nói."
    published = rows[claim_in_every_state["published"].pk]
    assert (published["status"], published["retracted_at"], published["retraction_reason"]) == ("published", "", "")

    records = {r["id"]: r for r in jsonl_records(body(api().get(JSONL_URL, {"include_retracted": "true"})))}
    assert records[retracted.pk]["status"] == "retracted"
    assert records[retracted.pk]["retraction_reason"] == "Câu trích dẫn bị gán nhầm người nói."
    assert records[claim_in_every_state["published"].pk]["retracted_at"] is None

    assert exported_ids("jsonl", api().get(JSONL_URL, {"include_retracted": "false"})) == {
        claim_in_every_state["published"].pk
    }


# --- Filters -------------------------------------------------------------------------------------------


@pytest.fixture
def three_published(researcher) -> dict[str, Claim]:
    """Published claims differing in language, rating, publication and update dates."""
    vi_false = ready_claim(researcher, text="Có ít nhất 32 người thiệt mạng")
    en_true = ready_claim(researcher, text="Haftar is 75 years old", language="en")
    vi_unproven = ready_claim(researcher, text="GNA chưa thành lập được quân đội")
    Verdict.objects.filter(claim=vi_false).update(rating=rating("false"))
    Verdict.objects.filter(claim=en_true).update(rating=rating("true"))
    april = dt.datetime(2019, 4, 7, 12, tzinfo=dt.UTC)
    for number, claim in enumerate((vi_false, en_true, vi_unproven)):
        moment = april + dt.timedelta(days=10 * number)
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PUBLISHED, published_at=moment, updated_at=moment)
    return {"vi_false": vi_false, "en_true": en_true, "vi_unproven": vi_unproven}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"language": "vi"}, {"vi_false", "vi_unproven"}),
        ({"language": "en"}, {"en_true"}),
        ({"rating": "false"}, {"vi_false"}),
        ({"rating_class": "TRUE"}, {"en_true"}),
        ({"rating_class": "OTHER", "language": "vi"}, {"vi_unproven"}),
        ({"updated_since": "2019-04-17T12:00:00Z"}, {"en_true", "vi_unproven"}),
        ({"published_after": "2019-04-10", "published_before": "2019-04-20"}, {"en_true"}),
        ({"rating": "misleading"}, set()),
    ],
)
def test_the_claims_list_filters_narrow_the_export(three_published, query, expected):
    wanted = {three_published[name].pk for name in expected}
    assert exported_ids("csv", api().get(CSV_URL, query)) == wanted
    assert exported_ids("jsonl", api().get(JSONL_URL, query)) == wanted
    args = [f"--{name.replace('_', '-')}={value}" for name, value in query.items()]
    assert {r["id"] for r in jsonl_records(run_command("--format", "jsonl", *args))} == wanted


def test_an_empty_export_is_a_header_or_nothing(three_published):
    assert body(api().get(CSV_URL, {"language": "fr"})) == ",".join(CSV_COLUMNS) + "\r\n"
    assert body(api().get(JSONL_URL, {"language": "fr"})) == ""


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"rating_class": "SOMETIMES"}, "rating_class"),
        ({"published_after": "yesterday"}, "published_after"),
        ({"updated_since": "2019-02-30"}, "updated_since"),
        ({"language": "not a language"}, "language"),
        ({"language": ""}, "language"),
        ({"claimant": "1.5"}, "claimant"),
        ({"lang": "xx-invalid-tag-"}, "lang"),
        ({"include_retracted": "perhaps"}, "include_retracted"),
        ({"bom": "2"}, "bom"),
    ],
)
def test_a_bad_parameter_is_a_400_in_the_api_s_error_shape_before_any_data(three_published, query, field):
    for url in (CSV_URL, JSONL_URL):
        if field == "bom" and url == JSONL_URL:
            continue
        error = assert_error(api().get(url, query), 400)
        assert list(error["fields"]) == [field]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rating-class=SOMETIMES"], "--rating-class"),
        (["--published-after=yesterday"], "--published-after"),
        (["--language=not a language"], "--language"),
        (["--lang=xx-invalid-tag-"], "--lang"),
        (["--bom"], "--bom"),
        (["--chunk-size=0"], "--chunk-size"),
    ],
)
def test_a_bad_option_is_a_command_error_naming_it(three_published, args, message):
    fmt = "jsonl" if args == ["--bom"] else "csv"
    with pytest.raises(CommandError, match=message):
        call_command("export_claims", "--format", fmt, *args, stdout=io.StringIO(), stderr=io.StringIO())


# --- The command ---------------------------------------------------------------------------------------


def test_the_command_writes_a_file_and_says_how_many_claims_on_stderr(rich_claim, three_published, tmp_path):
    target = tmp_path / "claims.csv"
    out, err = io.StringIO(), io.StringIO()
    call_command("export_claims", "--format", "csv", "--output", str(target), "--bom", stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert err.getvalue().strip() == f"Exported 4 claims to {target}."
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,url,")  # the byte order mark Excel needs
    assert b"\r\r\n" not in raw  # CRLF row ends written as they are, not translated twice
    rows = csv_rows(raw.decode("utf-8-sig"))
    assert len(rows) == 4
    assert next(r for r in rows if int(r["id"]) == rich_claim.pk)["text"] == WORDING

    jsonl = tmp_path / "claims.jsonl"
    call_command("export_claims", "--format=jsonl", f"--output={jsonl}", "--lang=en", stdout=out, stderr=err)
    records = jsonl_records(jsonl.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert next(r for r in records if r["id"] == rich_claim.pk)["headline"] == "False: the LNA used fighter jets"


def test_the_command_writes_to_standard_output_by_default(rich_claim):
    text = run_command("--format", "csv")
    assert text.startswith("id,url,")
    [row] = csv_rows(text)
    assert row["text"] == WORDING and row["rating_label"] == "Sai"
    [record] = jsonl_records(run_command("--format", "jsonl", "--lang", "en"))
    assert record["rating_label"] == "False"


def test_an_export_that_fails_half_way_leaves_the_previous_file_not_a_truncated_one(rich_claim, tmp_path, monkeypatch):
    target = tmp_path / "claims.jsonl"
    target.write_text("yesterday's export\n", encoding="utf-8")

    def lost_connection(*args: Any) -> Any:
        raise RuntimeError("server closed the connection unexpectedly")

    monkeypatch.setattr(exports, "claim_record", lost_connection)
    with pytest.raises(RuntimeError):
        call_command("export_claims", "--format", "jsonl", "--output", str(target), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == "yesterday's export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["claims.jsonl"]


def test_the_command_refuses_an_unwritable_output(rich_claim, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_claims", "--format", "csv", "--output", str(tmp_path / "missing" / "claims.csv"))


# --- The download --------------------------------------------------------------------------------------


def test_the_downloads_carry_their_type_and_a_dated_attachment_name(rich_claim):
    today = timezone.localdate().isoformat()
    as_csv = api().get(CSV_URL)
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv["Content-Disposition"] == f'attachment; filename="claims-{today}.csv"'
    as_jsonl = api().get(JSONL_URL)
    assert as_jsonl["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert as_jsonl["Content-Disposition"] == f'attachment; filename="claims-{today}.jsonl"'


def test_head_answers_the_headers_without_reading_the_claims(rich_claim, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api().head(CSV_URL, {"language": "vi"})
        assert b"".join(response.streaming_content) == b""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    refused = api().head(JSONL_URL, {"rating_class": "nope"})
    assert refused.status_code == 400 and refused["Content-Type"] == "application/json"


def test_bom_starts_the_csv_with_a_byte_order_mark(rich_claim):
    raw = b"".join(api().get(CSV_URL, {"bom": "1"}).streaming_content)
    assert raw.startswith(b"\xef\xbb\xbfid,url,")
    assert raw.count(b"\xef\xbb\xbf") == 1
    assert not b"".join(api().get(CSV_URL, {"bom": "false"}).streaming_content).startswith(b"\xef\xbb\xbf")


def test_what_the_client_accepts_changes_neither_the_data_nor_the_json_errors(rich_claim):
    as_csv = api().get(CSV_URL, HTTP_ACCEPT="text/html")
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert len(csv_rows(body(as_csv))) == 1
    assert_error(api().get(CSV_URL, {"rating_class": "nope"}, HTTP_ACCEPT="text/csv"), 400)
    assert_error(api().get(JSONL_URL, {"rating_class": "nope"}, HTTP_ACCEPT="text/html"), 400)


def test_exports_are_read_only(rich_claim, publisher):
    assert_error(api().post(CSV_URL, {}, format="json"), 401)
    assert_error(api(publisher).post(CSV_URL, {}, format="json"), 405)
    assert_error(api(publisher).delete(JSONL_URL), 405)


def test_anonymous_clients_are_throttled_like_the_rest_of_the_api(settings, rich_claim):
    settings.API_ANON_RATE = "2/minute"
    cache.clear()
    client = api()
    assert client.get(CSV_URL).status_code == 200
    assert client.get(JSONL_URL).status_code == 200
    error = assert_error(client.get(CSV_URL), 429)
    assert error["code"] == "throttled"
    assert int(client.get(JSONL_URL)["Retry-After"]) > 0


# --- Cost: a fixed number of queries per chunk -----------------------------------------------------------

#: claims (with claimant, verdict and corrections count), translations, verdict texts, appearances
QUERIES_PER_CHUNK = 4


@pytest.mark.parametrize("url", [CSV_URL, JSONL_URL])
def test_queries_grow_by_a_fixed_number_per_chunk_not_per_claim(
    url, researcher, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    rating_scale()  # cached, as it is between requests
    make_many_public(1, researcher)
    with django_assert_num_queries(QUERIES_PER_CHUNK):  # one chunk, not full: the end is known
        assert len(exported_ids("csv" if url == CSV_URL else "jsonl", api().get(url))) == 1

    made = make_many_public(4, researcher)
    AppearanceFactory(claim=made[0], quote="tránh sử dụng", is_first=False)
    ClaimTranslation.objects.create(claim=made[1], language="fr", text="Affirmation", origin="machine")
    with django_assert_num_queries(3 * QUERIES_PER_CHUNK):  # 5 claims: chunks of 2, 2 and 1
        assert len(exported_ids("csv" if url == CSV_URL else "jsonl", api().get(url))) == 5


def test_a_full_last_chunk_costs_one_more_query_to_see_the_end(researcher, django_assert_num_queries):
    rating_scale()
    make_many_public(4, researcher)
    with django_assert_num_queries(2 * QUERIES_PER_CHUNK + 1):
        records = list(exports.iter_records(exports.exportable_claims(), exports.ExportOptions("vi"), chunk_size=2))
    assert [r["id"] for r in records] == sorted(Claim.objects.values_list("pk", flat=True))
    assert all(r["appearances"] and r["translations"] and r["headline"] and r["claimant"] for r in records)


def test_a_chunk_never_loads_source_texts_or_internal_notes(researcher):
    claim = make_many_public(1, researcher)[0]
    Claim.objects.filter(pk=claim.pk).update(internal_notes="Nguồn tin nội bộ: đừng công bố.")
    [loaded] = exports.iter_claims(exports.exportable_claims())
    # A source's text can be half a megabyte, a chunk has a thousand claims; notes are never public.
    assert "internal_notes" in loaded.get_deferred_fields()
    assert "text" in loaded.exported_appearances[0].source.get_deferred_fields()


# --- The contract --------------------------------------------------------------------------------------


def test_the_schema_documents_the_downloads_their_media_types_and_parameters(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for url, media_type in ((CSV_URL, "text/csv"), (JSONL_URL, "application/x-ndjson")):
        operation = paths[url]["get"]
        assert list(operation["responses"]["200"]["content"]) == [media_type]
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"lang", "include_retracted", "language", "rating", "rating_class", "updated_since"} <= names
        assert {"published_after", "published_before"} <= names
        assert not {"q", "status", "cursor", "page_size"} & names
        assert ("bom" in names) == (url == CSV_URL)
        assert {} in operation["security"]  # open to anonymous clients
