"""Who may reach what: every URL of the project and every admin action, for every persona, by real requests.

The rows are generated from the URL conf (``get_resolver()`` walked recursively: API, public pages, feeds,
sitemaps, exports, the admin and its model pages) and from the admin registry (every action of every
``ModelAdmin``, the site-wide "delete selected" included). A URL or an admin action without a rule here
fails ``test_every_url_has_a_rule`` / ``test_every_admin_action_has_a_rule`` with its name: a new endpoint
is not reachable by accident. Each cell is the outcome a persona must get:

- ``ok`` (2xx), ``redirect`` (3xx, not to the login page), ``login`` (to the admin's login page),
- ``400`` (past the permission check, refused on the body: the request is deliberately incomplete),
- ``401`` (no valid token), ``403`` (refused), ``404`` (unpublished, or not there for this persona).

API routes are called with the persona's token (an inactive user's token is refused), the rest with a
logged-in session (an inactive user's session counts for nothing). Drafts — their wording, their private
sources, actors and outlets — must never appear in what anonymous clients, inactive users or staff without
a newsroom role are sent.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token, TokenProxy

from claims.models import (
    Claim,
    ClaimCandidate,
    ClaimLink,
    ClaimStatus,
    ClaimTip,
    Complaint,
    Correction,
    DuplicateSuggestion,
    ExternalReview,
    ImportRun,
    InboxStatus,
    Rating,
    RatingMapping,
    ReviewEvent,
    Topic,
)
from sources.models import Place, Source, SourceSnapshot

from .factories import (
    QUOTE_7_PERCENT,
    SEED_A2,
    ActorFactory,
    ClaimFactory,
    OutletFactory,
    SourceFactory,
    UserFactory,
    make_ratings,
    rating,
    ready_claim,
)

PERSONAS = ("anonymous", "inactive", "outsider", "researcher", "editor", "publisher", "superuser")
STAFF = {"outsider", "researcher", "editor", "publisher", "superuser"}
NEWSROOM = {"researcher", "editor", "publisher", "superuser"}  # every role, and the superuser
EDITORS = {"editor", "publisher", "superuser"}
PUBLISHERS = {"publisher", "superuser"}
SUPERUSER = {"superuser"}
NOBODY: set[str] = set()
#: Who must never be sent a draft (nor its private source, actor or outlet).
OUTSIDE = ("anonymous", "inactive", "outsider")
DRAFT_TEXT = "Bản nháp chưa công bố: LNA đã mất 90% quân số"
PRIVATE_ACTOR = "Người phát ngôn giấu tên Zyx"
PRIVATE_SOURCE = "Tài liệu nội bộ chưa công bố Qwv"

Cells = dict[str, str]


def everyone(outcome: str = "ok") -> Cells:
    return dict.fromkeys(PERSONAS, outcome)


def api(allowed: set[str], ok: str = "ok", refused: str = "403", anonymous: str = "401") -> Cells:
    """An API write (or a staff read): anonymous and inactive tokens are refused before anything else."""
    cells = {persona: ok if persona in allowed else refused for persona in PERSONAS}
    cells["anonymous"] = anonymous
    cells["inactive"] = "401"
    return cells


def api_read(ok: str = "ok") -> Cells:
    """An open API read: anyone, but an inactive user's token is refused, not ignored."""
    return {**everyone(ok), "inactive": "401"}


def staff_only(allowed: set[str], ok: str = "ok", refused: str = "403") -> Cells:
    """An admin page: anonymous and inactive go to the login page; staff get it if allowed."""
    cells = {persona: ok if persona in allowed else refused for persona in PERSONAS}
    cells["anonymous"] = cells["inactive"] = "login"
    return cells


@dataclass
class Check:
    """One request and the outcome each persona must get."""

    path: Callable[[dict[str, Any]], str]
    cells: Cells
    method: str = "get"
    data: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    token: bool = False  # API: authenticate with the persona's token, not a session

    def __post_init__(self) -> None:
        assert set(self.cells) == set(PERSONAS), self.cells


@dataclass
class Rule:
    checks: list[Check] = field(default_factory=list)


def api_check(path: Callable[[dict[str, Any]], str], cells: Cells, *args: Any) -> Check:
    return Check(path, cells, *args, token=True)


def page(name: str, **kwargs: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], str]:
    """The public page's URL in English (i18n_patterns)."""

    def build(w: dict[str, Any]) -> str:
        with translation.override("en"):
            return reverse(name, kwargs={key: value(w) for key, value in kwargs.items()})

    return build


def url(name: str, *args: Callable[[dict[str, Any]], Any], query: str = "") -> Callable[[dict[str, Any]], str]:
    return lambda w: reverse(name, args=[arg(w) for arg in args]) + query


def pk(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda w: w[key].pk


# --- The rules: the project's own URLs ------------------------------------------------------------------

PUBLIC_PAGES = ["home", "claims", "methodology", "corrections-policy", "corrections", "corrections-json", "thanks"]

RULES: dict[str, Rule] = {
    **{f"public:{name}": Rule([Check(page(f"public:{name}"), everyone())]) for name in PUBLIC_PAGES},
    "public:submit": Rule([Check(page("public:submit"), everyone())]),
    "public:complaint": Rule(
        [
            Check(lambda w: page("public:complaint")(w) + f"?claim={w['published'].pk}", everyone()),
            Check(lambda w: page("public:complaint")(w) + f"?claim={w['draft'].pk}", everyone("404")),
        ]
    ),
    "public:claim": Rule(
        [
            Check(page("public:claim", pk=pk("published"), slug=lambda w: "x"), everyone("redirect")),
            Check(page("public:claim", pk=pk("draft"), slug=lambda w: "x"), everyone("404")),
        ]
    ),
    "public:claim-noslug": Rule(
        [
            Check(page("public:claim-noslug", pk=pk("published")), everyone("redirect")),
            Check(page("public:claim-noslug", pk=pk("draft")), everyone("404")),
        ]
    ),
    "public:actor": Rule(
        [
            Check(page("public:actor", pk=pk("public_actor"), slug=lambda w: "x"), everyone("redirect")),
            Check(page("public:actor", pk=pk("private_actor"), slug=lambda w: "x"), everyone("404")),
        ]
    ),
    "public:source": Rule(
        [
            Check(page("public:source", pk=pk("public_source")), everyone()),
            Check(page("public:source", pk=pk("private_source")), everyone("404")),
        ]
    ),
    "public:outlet": Rule(
        [
            Check(page("public:outlet", pk=pk("public_outlet"), slug=lambda w: "x"), everyone("redirect")),
            Check(page("public:outlet", pk=pk("private_outlet"), slug=lambda w: "x"), everyone("404")),
        ]
    ),
    "set_language": Rule(
        [Check(lambda w: "/i18n/setlang/", everyone("redirect"), "post", lambda w: {"language": "en"})]
    ),
    "healthz": Rule([Check(lambda w: "/healthz", everyone())]),
    "robots": Rule([Check(lambda w: "/robots.txt", everyone())]),
    "favicon": Rule([Check(lambda w: "/favicon.ico", everyone("redirect"))]),  # to the static file
    "feed-claims": Rule([Check(lambda w: "/feeds/claims.xml", everyone())]),
    "feed-actor": Rule(
        [
            Check(lambda w: f"/feeds/actors/{w['public_actor'].pk}.xml", everyone()),
            Check(lambda w: f"/feeds/actors/{w['private_actor'].pk}.xml", everyone("404")),
        ]
    ),
    "sitemap-index": Rule([Check(lambda w: "/sitemap.xml", everyone())]),
    "sitemap": Rule(
        [Check(lambda w, s=s: f"/sitemap-{s}.xml", everyone()) for s in ("pages", "claims", "actors", "sources")]
        + [Check(lambda w: "/sitemap-drafts.xml", everyone("404"))]
    ),
    "api-schema": Rule([Check(lambda w: "/api/schema/", everyone())]),
    "api-docs": Rule([Check(lambda w: "/api/docs/", everyone())]),
    # --- The API: reads open, drafts for the newsroom only, writes by role ---
    "api:api-root": Rule([api_check(lambda w: "/api/v1/", api_read())]),
    "api-ratings": Rule([api_check(lambda w: "/api/v1/ratings/", api_read())]),
    "api-claimreview-feed": Rule([api_check(lambda w: "/api/v1/claimreview/", api_read())]),
    "api-export-claims-csv": Rule([api_check(lambda w: "/api/v1/exports/claims.csv", api_read())]),
    "api-export-claims-jsonl": Rule(
        [api_check(lambda w: "/api/v1/exports/claims.jsonl?include_retracted=true", api_read())]
    ),
    "api:claim-list": Rule(
        [
            api_check(lambda w: "/api/v1/claims/", api_read()),
            api_check(lambda w: "/api/v1/claims/?status=draft", api(NEWSROOM, anonymous="403")),
            api_check(
                lambda w: "/api/v1/claims/",
                api(NEWSROOM, ok="ok"),
                "post",
                lambda w: {"text": "Haftar 75 tuổi", "language": "vi"},
            ),
        ]
    ),
    "api:claim-detail": Rule(
        [
            api_check(lambda w: f"/api/v1/claims/{w['published'].pk}/", api_read()),
            api_check(lambda w: f"/api/v1/claims/{w['draft'].pk}/", api(NEWSROOM, refused="404", anonymous="404")),
        ]
    ),
    "api:claim-claimreview": Rule(
        [
            api_check(lambda w: f"/api/v1/claims/{w['published'].pk}/claimreview/", api_read()),
            api_check(lambda w: f"/api/v1/claims/{w['draft'].pk}/claimreview/", api_read("404")),
        ]
    ),
    "api:claim-appearances": Rule(
        [
            api_check(
                lambda w: f"/api/v1/claims/{w['draft_to_cite'].pk}/appearances/",
                api(NEWSROOM, refused="404"),
                "post",
                lambda w: {"source": w["public_source"].pk, "quote": QUOTE_7_PERCENT},
            )
        ]
    ),
    "api:claim-verdict": Rule(
        [
            api_check(
                lambda w: f"/api/v1/claims/{w['draft_to_rate'].pk}/verdict/",
                api(NEWSROOM, refused="404"),
                "put",
                lambda w: {
                    "rating": "false",
                    "headline": {"vi": "Sai"},
                    "explanation": {"vi": "Không có nguồn nào nói vậy."},
                },
            )
        ]
    ),
    "api:claim-transitions": Rule(
        [
            # The author or an editor submits; a researcher may not approve; only a publisher publishes;
            # nobody approves their own claim (four eyes).
            api_check(
                lambda w: f"/api/v1/claims/{w['draft_to_submit'].pk}/transitions/",
                api(NEWSROOM, refused="404"),
                "post",
                lambda w: {"action": "submit"},
            ),
            api_check(
                lambda w: f"/api/v1/claims/{w['in_review'].pk}/transitions/",
                {**api(EDITORS), "outsider": "404"},
                "post",
                lambda w: {"action": "approve"},
            ),
            api_check(
                lambda w: f"/api/v1/claims/{w['approved'].pk}/transitions/",
                {**api(PUBLISHERS), "outsider": "404"},
                "post",
                lambda w: {"action": "publish"},
            ),
            api_check(
                lambda w: f"/api/v1/claims/{w['editors_in_review'].pk}/transitions/",
                {**api(PUBLISHERS), "outsider": "404"},
                "post",
                lambda w: {"action": "approve"},
            ),
        ]
    ),
    "api:source-list": Rule(
        [
            api_check(lambda w: "/api/v1/sources/", api_read()),
            api_check(
                lambda w: "/api/v1/sources/",
                api(NEWSROOM),
                "post",
                lambda w: {"title": "Thông cáo", "language": "vi", "text": SEED_A2[:500]},
            ),
        ]
    ),
    "api:source-detail": Rule(
        [
            api_check(lambda w: f"/api/v1/sources/{w['public_source'].pk}/", api_read()),
            api_check(
                lambda w: f"/api/v1/sources/{w['private_source'].pk}/",
                api(NEWSROOM, refused="404", anonymous="404"),
            ),
        ]
    ),
    # Past the permission check, a source without a URL has nothing to fetch: a 400, and no request made.
    "api:source-fetch": Rule(
        [api_check(lambda w: f"/api/v1/sources/{w['private_source'].pk}/fetch/", api(NEWSROOM, ok="400"), "post")]
    ),
    "api:actor-list": Rule(
        [
            api_check(lambda w: "/api/v1/actors/", api_read()),
            api_check(
                lambda w: "/api/v1/actors/",
                api(NEWSROOM),
                "post",
                lambda w: {"name": "Fayez al-Sarraj", "kind": "person"},
            ),
        ]
    ),
    "api:actor-detail": Rule(
        [
            api_check(lambda w: f"/api/v1/actors/{w['public_actor'].pk}/", api_read()),
            api_check(
                lambda w: f"/api/v1/actors/{w['private_actor'].pk}/", api(NEWSROOM, refused="404", anonymous="404")
            ),
        ]
    ),
    "api:outlet-list": Rule([api_check(lambda w: "/api/v1/outlets/", api_read())]),
    "api:outlet-detail": Rule(
        [
            api_check(lambda w: f"/api/v1/outlets/{w['public_outlet'].pk}/", api_read()),
            api_check(
                lambda w: f"/api/v1/outlets/{w['private_outlet'].pk}/", api(NEWSROOM, refused="404", anonymous="404")
            ),
        ]
    ),
    # --- The admin site's own pages ---
    "admin/login/": Rule(
        [
            Check(
                lambda w: "/admin/login/",
                {**staff_only(NOBODY, refused="redirect"), **dict.fromkeys(("anonymous", "inactive"), "ok")},
            )
        ]
    ),
    "admin:login": Rule([]),  # the same path: the rule above (the throttled login wraps the admin's own)
    "admin:index": Rule([Check(url("admin:index"), staff_only(STAFF))]),
    "admin:logout": Rule(
        [Check(url("admin:logout"), {**staff_only(STAFF), "anonymous": "redirect", "inactive": "redirect"}, "post")]
    ),
    "admin:password_change": Rule([Check(url("admin:password_change"), staff_only(STAFF))]),
    "admin:password_change_done": Rule([Check(url("admin:password_change_done"), staff_only(STAFF))]),
    "admin:autocomplete": Rule(
        [
            Check(
                url("admin:autocomplete", query="?app_label=claims&model_name=claim&field_name=claimant&term=al"),
                staff_only(NEWSROOM),
            )
        ]
    ),
    "admin:jsi18n": Rule([Check(url("admin:jsi18n"), staff_only(STAFF))]),
    "admin:view_on_site": Rule(
        [
            Check(
                lambda w: reverse(
                    "admin:view_on_site", args=[ContentType.objects.get_for_model(Claim).pk, w["published"].pk]
                ),
                staff_only(STAFF, ok="redirect"),
            )
        ]
    ),
    "admin:app_list": Rule(
        [
            Check(url("admin:app_list", lambda w: "claims"), staff_only(NEWSROOM, refused="404")),
            Check(url("admin:app_list", lambda w: "auth"), staff_only(SUPERUSER, refused="404")),
        ]
    ),
    "admin/(?P<url>.*)$": Rule([Check(lambda w: "/admin/no-such-page/", staff_only(STAFF, ok="404"))]),
    "admin:auth_user_password_change": Rule(
        [Check(url("admin:auth_user_password_change", pk("researcher")), staff_only(SUPERUSER))]
    ),
    # The workflow panel and the duplicate and candidate decisions answer a GET with the object's page; the
    # POSTs are checked with the admin actions below.
    "admin:claims_claim_transition": Rule(
        [Check(url("admin:claims_claim_transition", pk("draft")), staff_only(STAFF, ok="redirect"))]
    ),
    "admin:claims_claim_duplicate": Rule(
        [Check(url("admin:claims_claim_duplicate", pk("draft")), staff_only(STAFF, ok="redirect"))]
    ),
    "admin:claims_claimcandidate_decide": Rule(
        [Check(url("admin:claims_claimcandidate_decide", pk("candidate")), staff_only(STAFF, ok="redirect"))]
    ),
}


# --- The rules: the admin's model pages, one row per registered model -----------------------------------


@dataclass
class ModelAccess:
    """Who may open a model's pages in the admin, for the object ``key`` of the test newsroom."""

    key: str
    view: set[str]  # the list, the object's page (read-only without change) and its history
    add: set[str]
    delete: set[str]  # the object's delete page (its confirmation)


ADMIN_ACCESS: dict[str, ModelAccess] = {
    "auth.group": ModelAccess("group", SUPERUSER, SUPERUSER, SUPERUSER),
    "auth.user": ModelAccess("researcher", SUPERUSER, SUPERUSER, SUPERUSER),
    "authtoken.tokenproxy": ModelAccess("token", SUPERUSER, SUPERUSER, SUPERUSER),
    "claims.ratingmapping": ModelAccess("rating_mapping", NEWSROOM, EDITORS, SUPERUSER),
    "claims.externalreview": ModelAccess("external_review", NEWSROOM, NOBODY, SUPERUSER),
    "claims.importrun": ModelAccess("import_run", NEWSROOM, EDITORS, SUPERUSER),
    "claims.claim": ModelAccess("draft", NEWSROOM, NEWSROOM, NEWSROOM),
    "claims.claimlink": ModelAccess("claim_link", NEWSROOM, NEWSROOM, NEWSROOM),
    "claims.duplicatesuggestion": ModelAccess("suggestion", NEWSROOM, NOBODY, NOBODY),
    "claims.claimcandidate": ModelAccess("candidate", NEWSROOM, NOBODY, NOBODY),
    "claims.verdict": ModelAccess("draft_verdict", NEWSROOM, NEWSROOM, SUPERUSER),
    "claims.rating": ModelAccess("rating", NEWSROOM, PUBLISHERS, SUPERUSER),
    "claims.topic": ModelAccess("topic", NEWSROOM, NEWSROOM, SUPERUSER),
    "claims.reviewevent": ModelAccess("event", NEWSROOM, NOBODY, NOBODY),
    "claims.correction": ModelAccess("correction", NEWSROOM, NOBODY, NOBODY),
    "claims.claimtip": ModelAccess("tip", NEWSROOM, NOBODY, SUPERUSER),
    "claims.complaint": ModelAccess("complaint", EDITORS, NOBODY, SUPERUSER),
    "sources.outlet": ModelAccess("public_outlet", NEWSROOM, NEWSROOM, SUPERUSER),
    "sources.sourcesnapshot": ModelAccess("snapshot", NEWSROOM, NOBODY, NOBODY),
    "sources.source": ModelAccess("private_source", NEWSROOM, NEWSROOM, EDITORS),
    "sources.actor": ModelAccess("public_actor", NEWSROOM, NEWSROOM, EDITORS),
    "sources.place": ModelAccess("place", NEWSROOM, NEWSROOM, SUPERUSER),
}


def object_id(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda w: w[key].pk


def admin_model_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for label, access in ADMIN_ACCESS.items():
        app, model = label.split(".")
        prefix = f"admin:{app}_{model}"
        rules[f"{prefix}_changelist"] = Rule([Check(url(f"{prefix}_changelist"), staff_only(access.view))])
        rules[f"{prefix}_add"] = Rule([Check(url(f"{prefix}_add"), staff_only(access.add))])
        rules[f"{prefix}_change"] = Rule(
            [Check(url(f"{prefix}_change", object_id(access.key)), staff_only(access.view))]
        )
        rules[f"{prefix}_history"] = Rule(
            [Check(url(f"{prefix}_history", object_id(access.key)), staff_only(access.view))]
        )
        rules[f"{prefix}_delete"] = Rule(
            [Check(url(f"{prefix}_delete", object_id(access.key)), staff_only(access.delete))]
        )
        # ``<app>/<model>/<id>/`` redirects to the object's page, whoever asks (that page decides).
        rules[f"admin/{app}/{model}/<path:object_id>/"] = Rule(
            [
                Check(
                    lambda w, a=access, p=f"/admin/{app}/{model}/": f"{p}{w[a.key].pk}/",
                    staff_only(STAFF, ok="redirect"),
                )
            ]
        )
    return rules


RULES.update(admin_model_rules())


# --- The URL conf, walked ---------------------------------------------------------------------------------


def walk(resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """Every URL pattern as (its name with namespaces, its route), through every include."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, route, (*namespaces, pattern.namespace) if pattern.namespace else namespaces)
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name)) if pattern.name else ""
            yield name, route


def rule_key(name: str, route: str) -> str:
    """A named URL by its name; an unnamed one by its route, with the language prefix taken out."""
    if name:
        return name
    return re.sub(r"^(vi|en)/", "", route)


def url_conf_keys() -> set[str]:
    return {rule_key(name, route) for name, route in walk(get_resolver())}


def test_every_url_has_a_rule():
    keys = url_conf_keys()
    missing = sorted(keys - set(RULES))
    assert not missing, f"URLs with no rule in the permissions matrix (tests/test_permissions_matrix.py): {missing}"
    stale = sorted(set(RULES) - keys)
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_the_matrix_covers_every_persona_for_every_url():
    checks = [check for rule in RULES.values() for check in rule.checks]
    assert all(set(check.cells) == set(PERSONAS) for check in checks)
    empty = sorted(key for key, rule in RULES.items() if not rule.checks and key != "admin:login")
    assert not empty, f"rules without a request: {empty}"


# --- The newsroom every request runs against --------------------------------------------------------------


def make_personas() -> dict[str, Any]:
    return {
        "researcher": UserFactory(username="rosa_researcher", role="Researcher"),
        "editor": UserFactory(username="eva_editor", role="Editor"),
        "publisher": UserFactory(username="paula_publisher", role="Publisher"),
        "outsider": UserFactory(username="otto_outsider"),
        "superuser": UserFactory(username="sam_superuser", is_superuser=True),
        "inactive": UserFactory(username="ines_inactive", role="Publisher", is_active=False),
    }


def set_status(claim: Claim, status: str, **fields: Any) -> Claim:
    # Set directly: these rows are what the workflow would leave; the workflow is tested on its own.
    Claim.objects.filter(pk=claim.pk).update(status=status, **fields)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def newsroom(db: None) -> dict[str, Any]:
    make_ratings()
    w: dict[str, Any] = make_personas()
    researcher, editor = w["researcher"], w["editor"]
    now = timezone.now()
    w["published"] = published = set_status(
        ready_claim(researcher, claimant=ActorFactory(name="Ahmed al-Mismari")), ClaimStatus.PUBLISHED, published_at=now
    )
    appearance = published.appearances.get()
    w["public_source"], w["public_outlet"] = appearance.source, appearance.source.outlet
    w["public_actor"] = published.claimant
    w["draft"] = draft = ready_claim(researcher, text=DRAFT_TEXT, claimant=ActorFactory(name=PRIVATE_ACTOR))
    w["private_actor"] = draft.claimant
    w["private_outlet"] = OutletFactory(name="Nguồn tin kín Wqz")
    w["private_source"] = SourceFactory(title=PRIVATE_SOURCE, url="", outlet=w["private_outlet"])
    w["draft_verdict"] = draft.verdict
    w["draft_to_cite"] = ClaimFactory(author=researcher)
    w["draft_to_rate"] = ClaimFactory(author=researcher)
    w["draft_to_submit"] = ready_claim(researcher)
    w["in_review"] = set_status(ready_claim(researcher), ClaimStatus.IN_REVIEW)
    w["approved"] = set_status(ready_claim(researcher), ClaimStatus.APPROVED)
    w["editors_in_review"] = set_status(ready_claim(editor), ClaimStatus.IN_REVIEW)
    w["group"] = Group.objects.get(name="Researcher")
    w["token"] = TokenProxy.objects.get(key=Token.objects.create(user=researcher).key)  # its admin pk: the user's
    w["rating"] = rating("false")
    w["rating_mapping"] = RatingMapping.objects.create(label="Fake", label_key="fake", rating=rating("false"))
    w["external_review"] = ExternalReview.objects.create(claim=published, review_url="https://afp.example/review/1")
    w["import_run"] = ImportRun.objects.create(location="feed.json", created_by=editor, status="done")
    w["claim_link"] = ClaimLink.objects.create(from_claim=w["in_review"], to_claim=w["approved"], kind="refines")
    w["suggestion"] = DuplicateSuggestion.objects.create(claim=w["in_review"], candidate=published, score=0.9)
    w["candidate"] = candidate(w["public_source"])
    w["topic"] = Topic.objects.create(name="Xung đột vũ trang", slug="xung-dot")
    w["event"] = ReviewEvent.objects.create(claim=draft, actor=researcher, action="create", to_status="draft")
    w["correction"] = Correction.objects.create(claim=published, note="Sửa tên người phát ngôn.", created_by=editor)
    w["tip"] = ClaimTip.objects.create(text="Có tin Haftar đã chiếm sân bay Tripoli")
    w["complaint"] = Complaint.objects.create(claim=published, message="Con số này đã cũ.")
    w["snapshot"] = snapshot(w["public_source"])
    w["place"] = Place.objects.create(name="Tripoli", country="LY")
    return w


def candidate(source: Source) -> ClaimCandidate:
    start = source.text.index(QUOTE_7_PERCENT)
    return ClaimCandidate.objects.create(
        source=source, start=start, end=start + len(QUOTE_7_PERCENT), text=QUOTE_7_PERCENT, score=0.8
    )


def snapshot(source: Source) -> SourceSnapshot:
    now = timezone.now()
    return SourceSnapshot.objects.create(
        source=source,
        url=source.url,
        final_url=source.url,
        http_status=200,
        content_type="text/html",
        sha256="0" * 64,
        byte_count=1000,
        fetched_at=now,
        last_seen_at=now,
    )


# --- Every cell, checked ----------------------------------------------------------------------------------


def client_for(persona: str, w: dict[str, Any], token: bool) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    if persona == "anonymous":
        return client
    user = w[persona]
    if token:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    else:
        client.force_login(user) if user.is_active else login_inactive(client, user)
    return client


def login_inactive(client: Client, user: Any) -> None:
    """The session an inactive user would carry had they logged in before being deactivated."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])


def outcome(response: Any) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        return "login" if response["Location"].startswith("/admin/login/") else "redirect"
    return str(status)


def body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


SECRETS = (DRAFT_TEXT, PRIVATE_ACTOR, PRIVATE_SOURCE, "Nguồn tin kín Wqz")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_the_matrix_says(newsroom, persona, settings):
    settings.API_ANON_RATE = settings.API_USER_RATE = "100000/minute"
    wrong, leaks, requests = [], [], 0
    for key in sorted(RULES):
        for check in RULES[key].checks:
            path = check.path(newsroom)
            client = client_for(persona, newsroom, check.token)
            data = check.data(newsroom) if check.data else None
            if check.method == "get":
                response = client.get(path)
            else:
                send = getattr(client, check.method)
                response = (
                    send(path, data or {}, content_type="application/json") if check.token else send(path, data or {})
                )
            requests += 1
            got, expected = outcome(response), check.cells[persona]
            if got != expected:
                wrong.append(
                    f"{key}: {check.method.upper()} {path} as {persona}: "
                    f"expected {expected}, got {got} ({response.status_code})"
                )
            if persona in OUTSIDE and got == "ok" and not path.startswith("/admin/"):
                text = body(response)
                leaks += [
                    f"{key}: {check.method.upper()} {path} shows {secret!r} to {persona}"
                    for secret in SECRETS
                    if secret in text
                ]
    assert requests >= len(RULES) - 1
    assert not wrong, "\n".join(wrong)
    assert not leaks, "\n".join(leaks)


# --- Admin actions: every action of every ModelAdmin, POSTed on a real object -----------------------------


@dataclass
class ActionRule:
    make: Callable[[dict[str, Any]], Any]  # the object to act on, fresh for each persona
    changed: Callable[[Any, list[Any]], bool]  # did the action do its work (callbacks: on_commit work queued)
    allowed: set[str]


def status_is(value: str) -> Callable[[Any, list[Any]], bool]:
    def changed(obj: Any, callbacks: list[Any]) -> bool:
        return type(obj).objects.filter(pk=obj.pk, status=value).exists()

    return changed


def gone(obj: Any, callbacks: list[Any]) -> bool:
    return not type(obj).objects.filter(pk=obj.pk).exists()


def claim_in(status: str) -> Callable[[dict[str, Any]], Any]:
    return lambda w: set_status(ready_claim(w["researcher"]), status)


def fresh_source(w: dict[str, Any], **fields: Any) -> Source:
    return SourceFactory(**fields)


def suggestion(w: dict[str, Any]) -> DuplicateSuggestion:
    return DuplicateSuggestion.objects.create(
        claim=ready_claim(w["researcher"]), candidate=ready_claim(w["editor"]), score=0.9
    )


SERIAL = itertools.count(1)  # unique names for the objects made for each persona
INBOX_ACTIONS = {
    "mark_in_progress": InboxStatus.IN_PROGRESS,
    "mark_done": InboxStatus.DONE,
    "mark_rejected": InboxStatus.REJECTED,
}

ACTION_RULES: dict[tuple[str, str], ActionRule] = {
    ("claims.claim", "submit_claims"): ActionRule(
        claim_in(ClaimStatus.DRAFT), status_is(ClaimStatus.IN_REVIEW), NEWSROOM
    ),
    ("claims.claim", "approve_claims"): ActionRule(
        claim_in(ClaimStatus.IN_REVIEW), status_is(ClaimStatus.APPROVED), EDITORS
    ),
    ("claims.claim", "publish_claims"): ActionRule(
        claim_in(ClaimStatus.APPROVED), status_is(ClaimStatus.PUBLISHED), PUBLISHERS
    ),
    ("claims.claim", "delete_selected"): ActionRule(claim_in(ClaimStatus.DRAFT), gone, NEWSROOM),
    ("claims.duplicatesuggestion", "confirm"): ActionRule(suggestion, status_is("confirmed"), NEWSROOM),
    ("claims.duplicatesuggestion", "dismiss"): ActionRule(suggestion, status_is("dismissed"), NEWSROOM),
    ("claims.duplicatesuggestion", "delete_selected"): ActionRule(suggestion, gone, NOBODY),
    ("claims.claimcandidate", "accept"): ActionRule(
        lambda w: candidate(SourceFactory()), status_is("accepted"), NEWSROOM
    ),
    ("claims.claimcandidate", "dismiss"): ActionRule(
        lambda w: candidate(SourceFactory()), status_is("dismissed"), NEWSROOM
    ),
    ("claims.claimcandidate", "delete_selected"): ActionRule(lambda w: candidate(SourceFactory()), gone, NOBODY),
    **{
        ("claims.claimtip", name): ActionRule(
            lambda w: ClaimTip.objects.create(text="Haftar 75 tuổi"), status_is(value), NEWSROOM
        )
        for name, value in INBOX_ACTIONS.items()
    },
    ("claims.claimtip", "make_drafts"): ActionRule(
        lambda w: ClaimTip.objects.create(text="Haftar 75 tuổi", language="vi"),
        lambda tip, callbacks: ClaimTip.objects.filter(pk=tip.pk, claim__isnull=False).exists(),
        NEWSROOM,
    ),
    ("claims.claimtip", "delete_selected"): ActionRule(lambda w: ClaimTip.objects.create(text="Spam"), gone, SUPERUSER),
    **{
        ("claims.complaint", name): ActionRule(
            lambda w: Complaint.objects.create(message="Con số đã cũ."), status_is(value), EDITORS
        )
        for name, value in INBOX_ACTIONS.items()
    },
    ("claims.complaint", "delete_selected"): ActionRule(
        lambda w: Complaint.objects.create(message="Spam"), gone, SUPERUSER
    ),
    ("sources.source", "fetch_pages"): ActionRule(
        lambda w: SourceFactory(fetch_status=Source.FetchStatus.FETCHED),
        lambda source, callbacks: Source.objects.filter(pk=source.pk, fetch_status=Source.FetchStatus.PENDING).exists(),
        NEWSROOM,
    ),
    ("sources.source", "check_links"): ActionRule(
        lambda w: SourceFactory(), lambda source, callbacks: bool(callbacks), NEWSROOM
    ),
    ("sources.source", "delete_selected"): ActionRule(lambda w: SourceFactory(), gone, EDITORS),
    ("auth.group", "delete_selected"): ActionRule(
        lambda w: Group.objects.create(name=f"Thực tập {next(SERIAL)}"), gone, SUPERUSER
    ),
    ("auth.user", "delete_selected"): ActionRule(lambda w: UserFactory(), gone, SUPERUSER),
    ("claims.ratingmapping", "delete_selected"): ActionRule(
        lambda w: RatingMapping.objects.create(
            label="Bogus", label_key=f"bogus-{next(SERIAL)}", rating=rating("false")
        ),
        gone,
        SUPERUSER,
    ),
    ("claims.externalreview", "delete_selected"): ActionRule(
        lambda w: ExternalReview.objects.create(
            claim=ready_claim(w["researcher"]), review_url=f"https://afp.example/r/{next(SERIAL)}"
        ),
        gone,
        SUPERUSER,
    ),
    ("claims.importrun", "delete_selected"): ActionRule(
        lambda w: ImportRun.objects.create(location="feed.json", created_by=w["editor"], status="done"), gone, SUPERUSER
    ),
    ("claims.claimlink", "delete_selected"): ActionRule(
        lambda w: ClaimLink.objects.create(
            from_claim=ready_claim(w["researcher"]), to_claim=ready_claim(w["researcher"]), kind="refines"
        ),
        gone,
        NEWSROOM,
    ),
    ("claims.verdict", "delete_selected"): ActionRule(lambda w: ready_claim(w["researcher"]).verdict, gone, SUPERUSER),
    ("claims.rating", "delete_selected"): ActionRule(
        lambda w: Rating.objects.create(slug=f"satire-{next(SERIAL)}", value=100 + next(SERIAL), rating_class="OTHER"),
        gone,
        SUPERUSER,
    ),
    ("claims.topic", "delete_selected"): ActionRule(
        lambda w: Topic.objects.create(name=f"Y tế {next(SERIAL)}", slug=f"y-te-{next(SERIAL)}"), gone, SUPERUSER
    ),
    ("claims.reviewevent", "delete_selected"): ActionRule(
        lambda w: ReviewEvent.objects.create(claim=ready_claim(w["researcher"]), action="create", to_status="draft"),
        gone,
        NOBODY,
    ),
    ("claims.correction", "delete_selected"): ActionRule(
        lambda w: Correction.objects.create(claim=ready_claim(w["researcher"]), note="Sửa.", created_by=w["editor"]),
        gone,
        NOBODY,
    ),
    ("sources.outlet", "delete_selected"): ActionRule(lambda w: OutletFactory(), gone, SUPERUSER),
    ("sources.sourcesnapshot", "delete_selected"): ActionRule(lambda w: snapshot(SourceFactory()), gone, NOBODY),
    ("sources.actor", "delete_selected"): ActionRule(lambda w: ActorFactory(), gone, EDITORS),
    ("sources.place", "delete_selected"): ActionRule(
        lambda w: Place.objects.create(name=f"Benghazi {next(SERIAL)}"), gone, SUPERUSER
    ),
}


def registered_actions() -> set[tuple[str, str]]:
    """Every action a ModelAdmin offers, the site-wide "delete selected" included (``actions = None``
    turns them all off, as DRF's token admin does)."""
    return {
        (model._meta.label_lower, name)
        for model, model_admin in admin.site._registry.items()
        if model_admin.actions is not None
        for _function, name, _description in model_admin._get_base_actions()
    }


def test_every_admin_action_has_a_rule():
    actions = registered_actions()
    missing = sorted(actions - set(ACTION_RULES))
    assert not missing, f"admin actions with no rule in the permissions matrix: {missing}"
    stale = sorted(set(ACTION_RULES) - actions)
    assert not stale, f"rules for admin actions that no longer exist: {stale}"


def test_every_admin_model_has_a_rule():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_ACCESS), (
        sorted(registered - set(ADMIN_ACCESS)),
        sorted(set(ADMIN_ACCESS) - registered),
    )


@pytest.mark.parametrize("action", sorted(ACTION_RULES), ids=lambda key: f"{key[0]}-{key[1]}")
def test_every_admin_action_changes_its_object_only_for_the_personas_allowed(
    action, db, django_capture_on_commit_callbacks
):
    make_ratings()
    w = make_personas()
    label, name = action
    rule = ACTION_RULES[action]
    changelist = reverse(f"admin:{label.replace('.', '_')}_changelist")
    wrong = []
    for persona in PERSONAS:
        obj = rule.make(w)
        client = client_for(persona, w, token=False)
        data = {"action": name, "_selected_action": [str(obj.pk)], "index": "0"}
        if name == "delete_selected":
            data["post"] = "yes"  # the confirmation page's answer
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(changelist, data)
        expected = persona in rule.allowed
        if rule.changed(obj, callbacks) != expected:
            wrong.append(
                f"{label} {name} by {persona}: "
                f"expected {'a change' if expected else 'no change'} ({response.status_code})"
            )
        if persona in ("anonymous", "inactive") and outcome(response) != "login":
            wrong.append(f"{label} {name} by {persona}: expected the login page, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


# --- The admin's own buttons: the workflow panel, the duplicate and the candidate decisions -------------


@dataclass
class ButtonRule:
    make: Callable[[dict[str, Any]], Any]  # the object whose state the button changes
    path: Callable[[Any], str]
    data: Callable[[Any], dict[str, Any]]
    changed: Callable[[Any, list[Any]], bool]
    allowed: set[str]


BUTTON_RULES: dict[str, ButtonRule] = {
    "admin:claims_claim_transition": ButtonRule(
        claim_in(ClaimStatus.IN_REVIEW),
        lambda claim: reverse("admin:claims_claim_transition", args=[claim.pk]),
        lambda claim: {"action": "approve", "version": claim.version},
        status_is(ClaimStatus.APPROVED),
        EDITORS,
    ),
    "admin:claims_claim_duplicate": ButtonRule(
        suggestion,
        lambda suggestion: reverse("admin:claims_claim_duplicate", args=[suggestion.claim_id]),
        lambda suggestion: {"decision": "dismiss", "suggestion": suggestion.pk},
        status_is("dismissed"),
        NEWSROOM,
    ),
    "admin:claims_claimcandidate_decide": ButtonRule(
        lambda w: candidate(SourceFactory()),
        lambda candidate: reverse("admin:claims_claimcandidate_decide", args=[candidate.pk]),
        lambda candidate: {"decision": "accept"},
        status_is("accepted"),
        NEWSROOM,
    ),
}


def test_every_admin_view_of_a_model_s_own_has_a_button_rule():
    """A ModelAdmin's own URLs (``get_urls``) act on objects: each needs its POST checked, not only a GET."""
    models = tuple(f"admin:{label.replace('.', '_')}_" for label in ADMIN_ACCESS)
    standard = tuple(f"_{view}" for view in ("changelist", "add", "change", "delete", "history"))
    own = {key for key in url_conf_keys() if key.startswith(models) and not key.endswith(standard)}
    assert own == set(BUTTON_RULES), f"admin views with no button rule: {sorted(own - set(BUTTON_RULES))}"


@pytest.mark.parametrize("button", sorted(BUTTON_RULES))
def test_every_admin_button_changes_its_object_only_for_the_personas_allowed(
    button, db, django_capture_on_commit_callbacks
):
    make_ratings()
    w = make_personas()
    rule = BUTTON_RULES[button]
    wrong = []
    for persona in PERSONAS:
        obj = rule.make(w)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client_for(persona, w, token=False).post(rule.path(obj), rule.data(obj))
        expected = persona in rule.allowed
        if rule.changed(obj, callbacks) != expected:
            wrong.append(
                f"{button} by {persona}: expected {'a change' if expected else 'no change'} ({response.status_code})"
            )
    assert not wrong, "\n".join(wrong)
