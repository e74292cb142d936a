"""Keeping search documents current: every save of a text search reads re-indexes the claims it feeds.
A source saved with a new text has its claim candidates found once the save commits.

Synchronous, in the writer's transaction, so a claim is findable the moment its transaction commits
(and a rollback takes its document with it). Renaming an actor or a place re-indexes every claim that
names it, and so does deleting it; moving a source to another outlet, every claim that appeared in it
(the outlet is a facet of their documents). ``manage.py reindex_search`` rebuilds everything, for
updates that bypass signals (``QuerySet.update``, raw SQL, a restore).

Any change to a row a public page shows also throws the cached public pages away (``claims.pagecache``).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from sources.models import Actor, ActorAlias, Place, PlaceAlias, Source

from .models import Appearance, Claim, ClaimLink, ClaimTranslation, Verdict
from .pagecache import public_row_changed
from .search import claims_naming, index_claims

# Claims being deleted right now: their translations and quotes go first, and must not re-create the
# document the deletion is about to remove.
_deleting = threading.local()


def _being_deleted() -> set[int]:
    if not hasattr(_deleting, "ids"):
        _deleting.ids = set()
    return _deleting.ids  # type: ignore[no-any-return]


def claim_saved(sender: Any, instance: Claim, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        index_claims([instance.pk])


def claim_deleting(sender: Any, instance: Claim, **kwargs: Any) -> None:
    _being_deleted().add(instance.pk)


def claim_deleted(sender: Any, instance: Claim, **kwargs: Any) -> None:
    _being_deleted().discard(instance.pk)


def part_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A translation or an appearance (quote) was saved or deleted."""
    if not raw and instance.claim_id not in _being_deleted():
        index_claims([instance.claim_id])


def verdict_changed(
    sender: Any, instance: Verdict, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """A verdict was saved or deleted: its rating is a facet of the claim's document (``document_facets``),
    which a search within a rating asks the index for. Its texts are not in the document: no duplicate scan."""
    if raw or instance.claim_id in _being_deleted():
        return
    if update_fields is not None and "rating" not in update_fields and "rating_id" not in update_fields:
        return
    index_claims([instance.claim_id], scan_duplicates=False)


def links_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    """Mentions or places added to or removed from a claim (or claims from an actor or a place)."""
    if reverse and action == "pre_clear":  # from the actor's or place's side: who is linked, before it goes
        instance._cleared_claims = _claims_naming(instance)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        index_claims([instance.pk])
    elif pk_set:
        index_claims(pk_set)
    else:
        index_claims(getattr(instance, "_cleared_claims", None) or _claims_naming(instance))
        instance._cleared_claims = None


def _claims_naming(actor_or_place: Actor | Place) -> list[int]:
    if isinstance(actor_or_place, Actor):
        return claims_naming(actor_ids=[actor_or_place.pk])
    return claims_naming(place_ids=[actor_or_place.pk])


def named_deleting(sender: Any, instance: Actor | Place, **kwargs: Any) -> None:
    """An actor or a place about to be deleted (neither can be a claimant): the claims that mention it or
    are about it lose it with no ``m2m_changed``, so they are noted now and re-indexed once it is gone."""
    instance._deleted_from_claims = _claims_naming(instance)  # type: ignore[union-attr]


def named_deleted(sender: Any, instance: Actor | Place, **kwargs: Any) -> None:
    claim_ids = getattr(instance, "_deleted_from_claims", None)
    if claim_ids:
        index_claims(claim_ids, scan_duplicates=False)


def actor_changed(sender: Any, instance: Actor, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        index_claims(claims_naming(actor_ids=[instance.pk]))


def actor_alias_changed(sender: Any, instance: ActorAlias, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        index_claims(claims_naming(actor_ids=[instance.actor_id]))


def place_changed(sender: Any, instance: Place, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        index_claims(claims_naming(place_ids=[instance.pk]))


def place_alias_changed(sender: Any, instance: PlaceAlias, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        index_claims(claims_naming(place_ids=[instance.place_id]))


def claim_link_changed(sender: Any, instance: ClaimLink, raw: bool = False, **kwargs: Any) -> None:
    """A link shows on both claims' pages and API answers: both have changed (Last-Modified, caches)."""
    if not raw:
        Claim.objects.filter(pk__in=[instance.from_claim_id, instance.to_claim_id]).update(updated_at=timezone.now())


def source_saving(sender: Any, instance: Source, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    """Note whether a saved source moves to another outlet (one query): its outlet is a facet of the
    documents of the claims that appeared in it (``document_facets``). Not covered: a quote of the source
    added by another transaction while this one runs is indexed with the outlet it read, and this one does
    not see it yet; that claim is found under the old outlet until it is saved again (``reindex_search``
    rewrites every document)."""
    instance._outlet_changed = (  # type: ignore[attr-defined]
        not raw
        and instance.pk is not None
        and (update_fields is None or bool({"outlet", "outlet_id"} & set(update_fields)))
        and Source.objects.filter(pk=instance.pk).values_list("outlet_id", flat=True).first() != instance.outlet_id
    )


def source_saved(sender: Any, instance: Source, raw: bool = False, **kwargs: Any) -> None:
    """A source with a new text gets its claim candidates once the save commits (the mark it carries is
    the outbox: a message lost here is re-sent by ``claims.tasks.sweep_claim_candidates``). A source moved
    to another outlet re-indexes the claims that appeared in it (``source_saving``)."""
    if raw:
        return
    if getattr(instance, "_outlet_changed", False):
        instance._outlet_changed = False  # type: ignore[attr-defined]
        index_claims(
            Appearance.objects.filter(source=instance).values_list("claim_id", flat=True), scan_duplicates=False
        )
    if instance.needs_candidates:
        from .tasks import queue_candidate_scans

        source_id = instance.pk
        transaction.on_commit(lambda: queue_candidate_scans([source_id]))


def connect() -> None:
    for signal, name in ((post_save, "saved"), (post_delete, "deleted"), (m2m_changed, "linked")):
        signal.connect(public_row_changed, dispatch_uid=f"page-cache-row-{name}")  # every model: it filters
    pre_save.connect(source_saving, sender=Source, dispatch_uid="search-source-saving")
    post_save.connect(source_saved, sender=Source, dispatch_uid="candidates-source-saved")
    post_save.connect(claim_link_changed, sender=ClaimLink, dispatch_uid="claim-link-saved")
    post_delete.connect(claim_link_changed, sender=ClaimLink, dispatch_uid="claim-link-deleted")
    post_save.connect(claim_saved, sender=Claim, dispatch_uid="search-claim-saved")
    pre_delete.connect(claim_deleting, sender=Claim, dispatch_uid="search-claim-deleting")
    post_delete.connect(claim_deleted, sender=Claim, dispatch_uid="search-claim-deleted")
    post_save.connect(verdict_changed, sender=Verdict, dispatch_uid="search-verdict-saved")
    post_delete.connect(verdict_changed, sender=Verdict, dispatch_uid="search-verdict-deleted")
    for model in (ClaimTranslation, Appearance):
        post_save.connect(part_changed, sender=model, dispatch_uid=f"search-{model.__name__}-saved")
        post_delete.connect(part_changed, sender=model, dispatch_uid=f"search-{model.__name__}-deleted")
    for through in (Claim.mentions.through, Claim.places.through):
        m2m_changed.connect(links_changed, sender=through, dispatch_uid=f"search-{through.__name__}")
    for named in (Actor, Place):
        pre_delete.connect(named_deleting, sender=named, dispatch_uid=f"search-{named.__name__}-deleting")
        post_delete.connect(named_deleted, sender=named, dispatch_uid=f"search-{named.__name__}-deleted")
    post_save.connect(actor_changed, sender=Actor, dispatch_uid="search-actor-saved")
    post_save.connect(place_changed, sender=Place, dispatch_uid="search-place-saved")
    for alias_model, handler in ((ActorAlias, actor_alias_changed), (PlaceAlias, place_alias_changed)):
        post_save.connect(handler, sender=alias_model, dispatch_uid=f"search-{alias_model.__name__}-saved")
        post_delete.connect(handler, sender=alias_model, dispatch_uid=f"search-{alias_model.__name__}-deleted")
