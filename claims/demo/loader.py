"""Load the demo newsroom: the seed articles, their actors, the rating scale, claims and verdicts.

Idempotent: every row is looked up by a natural key first and only created when missing; existing
rows are never rewritten (editors may have changed them). Claims are walked through the real
workflow (submit, approve, publish) by the demo users, so the audit trail is what the product
would have recorded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.models import User as AbstractUser
from django.db import transaction

from sources.models import Actor, ActorAlias, Outlet, Place, PlaceAlias, Source, hash_text
from sources.text import find_quote

from .. import workflow
from ..models import Appearance, Claim, ClaimTip, ClaimTranslation, Complaint, Rating, RatingLabel
from . import content

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"

#: username → (group, password). Passwords are only set when DEBUG is on (the embedded demo).
DEMO_USERS = {
    "researcher": ("Researcher", "researcher-demo"),
    "editor": ("Editor", "editor-demo"),
    "publisher": ("Publisher", "publisher-demo"),
}


class DemoRefused(Exception):
    pass


def _demo_users(with_passwords: bool, created: Counter[str]) -> dict[str, AbstractUser]:
    User = get_user_model()
    users: dict[str, AbstractUser] = {}
    for username, (group_name, password) in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@demo.invalid", is_staff=True)
            if with_passwords:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            created["users"] += 1
        users[username] = user  # type: ignore[assignment]
    return users


def _ratings(created: Counter[str]) -> None:
    for item in content.RATINGS:
        rating, made = Rating.objects.get_or_create(
            slug=item["slug"], defaults={"value": item["value"], "rating_class": item["class"]}
        )
        created["ratings"] += made
        for language, label in item["labels"].items():
            _label, made = RatingLabel.objects.get_or_create(
                rating=rating,
                language=language,
                defaults={"label": label, "description": item["descriptions"].get(language, "")},
            )
            created["rating labels"] += made


def _aliases(model: type[ActorAlias] | type[PlaceAlias], owner_field: str, owner: object, aliases: list) -> int:
    made_count = 0
    for name, language in aliases:
        _alias, made = model.objects.get_or_create(
            **{owner_field: owner, "name": name}, defaults={"language": language}
        )
        made_count += made
    return made_count


def _reference(article: dict) -> str:
    return "seed:" + article["file"].removesuffix(".txt")


def load_demo(create_users_with_passwords: bool | None = None) -> Counter[str]:
    """Create whatever of the demo newsroom is missing; return the counts of rows created."""
    if create_users_with_passwords is None:
        create_users_with_passwords = settings.DEBUG
    if create_users_with_passwords and not settings.DEBUG:
        raise DemoRefused(
            "DEBUG is off: refusing to create demo users with known passwords on what may be a production site."
        )
    created: Counter[str] = Counter()
    with transaction.atomic():
        users = _demo_users(create_users_with_passwords, created)
        _ratings(created)

        # Seed sources are found by their reference, which editing the text or title does not change;
        # their outlets through them, so an editor who names the real publisher keeps that name.
        existing = {
            source.reference: source
            for source in Source.objects.filter(reference__in=[_reference(a) for a in content.ARTICLES])
        }
        outlets: dict[str, Outlet] = {}
        for article in content.ARTICLES:
            source = existing.get(_reference(article))
            if source is not None and source.outlet is not None:
                outlets.setdefault(article["outlet"], source.outlet)
        for item in content.OUTLETS:
            if item["key"] in outlets:
                continue
            outlets[item["key"]], made = Outlet.objects.get_or_create(
                name=item["name"], defaults={"country": item["country"], "language": item["language"]}
            )
            created["outlets"] += made

        sources: dict[str, Source] = {}
        for item in content.ARTICLES:
            text = (ARTICLES_DIR / item["file"]).read_text(encoding="utf-8")
            source = (
                existing.get(_reference(item))
                or Source.objects.filter(reference="", content_hash=hash_text(text)).first()
            )
            if source is None:
                source = Source.objects.create(
                    reference=_reference(item),
                    outlet=outlets[item["outlet"]],
                    title=item["title"],
                    language="vi",
                    published_at=dt.datetime.fromisoformat(item["published_at"]),
                    text=text,
                    created_by=users["researcher"],
                )
                created["sources"] += 1
            sources[item["key"]] = source

        actors: dict[str, Actor] = {}
        for item in content.ACTORS:
            # By name, else by one of its spellings: an editor may have renamed the actor.
            spellings = [item["name"], *(alias for alias, _language in item.get("aliases", []))]
            actor = (
                Actor.objects.filter(name=item["name"]).first()
                or Actor.objects.filter(aliases__name__in=spellings).order_by("pk").first()
            )
            if actor is None:
                actor = Actor.objects.create(
                    name=item["name"], kind=item["kind"], description=item.get("description", {}).get("en", "")
                )
                created["actors"] += 1
            created["actor aliases"] += _aliases(ActorAlias, "actor", actor, item.get("aliases", []))
            actors[item["key"]] = actor

        places: dict[str, Place] = {}
        for item in content.PLACES:
            place, made = Place.objects.get_or_create(name=item["name"], defaults={"country": item.get("country", "")})
            created["places"] += made
            created["place aliases"] += _aliases(PlaceAlias, "place", place, item.get("aliases", []))
            places[item["key"]] = place

        for item in content.CLAIMS:
            source = sources[item["article"]]
            if Claim.objects.filter(language="vi", text=item["text"], appearances__source=source).exists():
                continue
            _create_claim(item, source, sources, actors, places, users)
            created["claims"] += 1

        for item in content.READER_TIPS:
            _tip, made = ClaimTip.objects.get_or_create(
                text=item["text"],
                defaults={"language": item["language"], "where_seen": item["where_seen"], "context": item["context"]},
            )
            created["claims sent by readers"] += made
        for item in content.READER_COMPLAINTS:
            _complaint, made = Complaint.objects.get_or_create(
                message=item["message"],
                defaults={k: item[k] for k in ("language", "kind", "name", "email")},
            )
            created["complaints"] += made
    return created


def _create_claim(
    item: dict,
    source: Source,
    sources: dict[str, Source],
    actors: dict[str, Actor],
    places: dict[str, Place],
    users: dict[str, AbstractUser],
) -> Claim:
    researcher, editor, publisher = users["researcher"], users["editor"], users["publisher"]
    claim = Claim.objects.create(
        text=item["text"],
        language="vi",
        claimant=actors[item["claimant"]] if item.get("claimant") else None,
        claim_date=dt.date.fromisoformat(item["claim_date"]) if item.get("claim_date") else None,
        author=researcher,
    )
    workflow.record_created(claim, researcher)
    claim.mentions.set([actors[key] for key in item.get("mentions", [])])
    claim.places.set([places[key] for key in item.get("places", [])])
    ClaimTranslation.objects.create(claim=claim, language="en", text=item["translation_en"], origin="human")
    start, end = find_quote(source.text, item["quote"])
    Appearance.objects.create(claim=claim, source=source, quote=item["quote"], start=start, end=end, is_first=True)

    verdict = item.get("verdict")
    if verdict:
        workflow.save_verdict(
            claim,
            researcher,
            workflow.VerdictContent(
                rating=verdict["rating"],
                texts={lang: (verdict["headline"][lang], verdict["explanation"][lang]) for lang in verdict["headline"]},
                evidence=tuple((sources[key].pk, stance, "") for key, stance in verdict.get("evidence", [])),
                valid_as_of=dt.date(2019, 4, 8),
            ),
        )
    status = item["status"]
    steps = {
        "draft": [],
        "in_review": [(workflow.Action.SUBMIT, researcher)],
        "approved": [(workflow.Action.SUBMIT, researcher), (workflow.Action.APPROVE, editor)],
        "published": [
            (workflow.Action.SUBMIT, researcher),
            (workflow.Action.APPROVE, editor),
            (workflow.Action.PUBLISH, publisher),
        ],
    }[status]
    for action, user in steps:
        workflow.transition(claim.pk, user, action, comment="Demo data from the seed articles.")  # type: ignore[arg-type]
    claim.refresh_from_db()
    return claim
