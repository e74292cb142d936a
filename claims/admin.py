"""The newsroom's workplace: claims with their translations and appearances, verdicts, ratings, queues.

Every workflow step (the buttons on a claim's page, the bulk actions) calls ``claims.workflow``; the
admin only renders what the workflow allows and reports what it refused. Edits carry the version the
editor saw, so a second editor saving over a change they never saw gets an error, not a silent win.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from sources.admin import ProtectedFirstMixin
from sources.errors import DomainError
from sources.text import mark_spans

from . import candidates, duplicates, workflow
from .admin_imports import ExternalReviewInline  # and registers the import admin
from .models import (
    PUBLIC_STATUSES,
    Appearance,
    CandidateStatus,
    Claim,
    ClaimCandidate,
    ClaimLink,
    ClaimStatus,
    ClaimTip,
    ClaimTranslation,
    Complaint,
    Correction,
    DuplicateSuggestion,
    Evidence,
    InboxStatus,
    Rating,
    RatingLabel,
    ReviewEvent,
    Topic,
    Verdict,
    VerdictText,
    VerdictVersion,
)
from .search import search_claims
from .selectors import linked_claims

# --- Optimistic locking ------------------------------------------------------------------------------


class SeenVersionForm(forms.ModelForm):
    """A model form that remembers which version of the row the editor loaded.

    ``clean`` locks the claim row for the rest of the admin's transaction and refuses the save when the
    row has moved on since the form was rendered: the second of two editors is told, not overwritten.
    """

    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
            self.fields["seen_version"].required = True

    def current_version(self) -> int:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.current_version():
            raise ValidationError(
                gettext(
                    "Someone else saved this while you were editing it. Your changes were not saved: "
                    "open it again to see their version, then redo your edits."
                ),
                code="conflict",
            )
        return cleaned


# --- Claims ------------------------------------------------------------------------------------------

#: The workflow's own refusal (``workflow.check_can_delete``), shown where the admin refuses before asking it.
DELETE_PUBLIC_REFUSED = _("A published or retracted claim cannot be deleted; retract it instead.")


class EditableWithClaimMixin:
    """Inline rows of a claim can be changed exactly when the claim itself can be."""

    def _claim_editable(self, request: HttpRequest, obj: Claim | None) -> bool:
        return obj is None or workflow.can_edit(request.user, obj)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and self._claim_editable(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._claim_editable(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._claim_editable(request, obj)  # type: ignore[misc]


class ClaimTranslationInline(EditableWithClaimMixin, admin.TabularInline):
    model = ClaimTranslation
    extra = 1
    fields = ["language", "text", "origin"]


class AppearanceForm(forms.ModelForm):
    class Meta:
        model = Appearance
        fields = ["source", "quote", "start", "end", "is_first"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 60})}


class AppearanceFormSet(forms.BaseInlineFormSet):
    """Rules across the rows of one save, which per-row validation cannot see (offsets found from quotes)."""

    def clean(self) -> None:
        super().clean()
        seen: set[tuple[int, int, int]] = set()
        firsts = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            instance = form.instance
            key = (instance.source_id, instance.start, instance.end)
            if key in seen:
                raise ValidationError(gettext("The same quote of the same source is entered twice."))
            seen.add(key)
            firsts += bool(data.get("is_first"))
        if firsts > 1:
            raise ValidationError(gettext("A claim has one first appearance: untick “first appearance” on the other."))


class AppearanceInline(EditableWithClaimMixin, admin.StackedInline):
    model = Appearance
    form = AppearanceForm
    formset = AppearanceFormSet
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "quote", ("start", "end"), "is_first", "in_context"]
    readonly_fields = ["in_context"]

    @admin.display(description=_("in the source"))
    def in_context(self, obj: Appearance) -> str:
        if not obj.pk:
            return "—"
        before, quote, after = obj.context()
        return format_html('<div class="quote-in-context">…{}<mark>{}</mark>{}…</div>', before, quote, after)


#: The work queues, by the value of the claims list's ``queue`` filter.
QUEUES = {
    "review": _("waiting for my review"),
    "drafts": _("my drafts"),
    "changes": _("changes requested of me"),
    "publish": _("ready to publish"),
    "recheck": _("due for re-check"),
}


def queues_for(user: Any) -> list[str]:
    """The queues that mean something for this user's role."""
    keys = ["drafts", "changes"]
    if user.has_perm("claims.review_claim"):
        keys[:0] = ["review"]
        keys.append("recheck")
    if user.has_perm("claims.publish_claim"):
        keys.insert(-1, "publish")
    return keys


class QueueFilter(admin.SimpleListFilter):
    """The work queues: what waits for me, what is mine, what is due."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(key, QUEUES[key]) for key in queues_for(request.user)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        user = request.user
        value = self.value()
        if value == "review":
            return queryset.filter(status=ClaimStatus.IN_REVIEW).exclude(author=user)  # type: ignore[misc]
        if value == "drafts":
            return queryset.filter(status=ClaimStatus.DRAFT, author=user)  # type: ignore[misc]
        if value == "changes":
            return queryset.filter(status=ClaimStatus.CHANGES_REQUESTED, author=user)  # type: ignore[misc]
        if value == "publish":
            return queryset.filter(status=ClaimStatus.APPROVED).exclude(author=user)  # type: ignore[misc]
        if value == "recheck":
            return queryset.filter(status=ClaimStatus.PUBLISHED, verdict__recheck_due_since__isnull=False)
        return queryset


class ClaimForm(SeenVersionForm):
    class Meta:
        model = Claim
        fields = ["text", "language", "claimant", "claim_date", "mentions", "places", "topics", "internal_notes"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def current_version(self) -> int:
        return Claim.objects.select_for_update().values_list("version", flat=True).get(pk=self.instance.pk)


def _bulk(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Claim], action: str) -> None:
    """Apply one workflow step to each selected claim, with the same rules as one at a time."""
    done, refused = 0, []
    for claim in queryset.order_by("pk"):
        try:
            workflow.transition(claim.pk, request.user, action)  # type: ignore[arg-type]
            done += 1
        except workflow.WorkflowError as error:
            refused.append(f"#{claim.pk}: {error.message}")
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d claim: %(action)s done.", "%(count)d claims: %(action)s done.", done)
            % {"count": done, "action": workflow.ACTION_LABELS[action]},
            messages.SUCCESS,
        )
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)


@admin.action(description=_("Submit the selected claims for review"))
def submit_claims(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
    _bulk(modeladmin, request, queryset, workflow.Action.SUBMIT)


@admin.action(description=_("Approve the selected claims"))
def approve_claims(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
    _bulk(modeladmin, request, queryset, workflow.Action.APPROVE)


@admin.action(description=_("Publish the selected claims"))
def publish_claims(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
    _bulk(modeladmin, request, queryset, workflow.Action.PUBLISH)


class RankedChangeList(ChangeList):
    """A search lists the best matches first, unless the editor sorts by a column."""

    def get_ordering(self, request: HttpRequest, queryset: QuerySet[Any]) -> list[Any]:
        if "search_rank" in queryset.query.annotations and ORDER_VAR not in self.params:
            return ["search_rank", "-pk"]
        return super().get_ordering(request, queryset)  # type: ignore[no-any-return]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    form = ClaimForm
    change_form_template = "admin/claims/claim/change_form.html"
    list_display = ["short_text", "language", "status_badge", "claimant", "rating", "author", "updated_at"]
    list_filter = [
        QueueFilter,
        "status",
        "language",
        ("verdict__rating", admin.RelatedOnlyFieldListFilter),
        ("claimant", admin.RelatedOnlyFieldListFilter),
        ("appearances__source__outlet", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text", "translations__text", "claimant__name", "claimant__aliases__name", "appearances__quote"]
    autocomplete_fields = ["claimant", "mentions", "places", "topics"]
    inlines = [ClaimTranslationInline, AppearanceInline, ExternalReviewInline]
    actions = [submit_claims, approve_claims, publish_claims, "delete_selected"]
    readonly_fields = ["status_badge", "author", "verdict_link", "published_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["text", "language", "claimant", "claim_date", "seen_version"]}),
        (_("What it mentions"), {"fields": ["mentions", "places", "topics"]}),
        (_("Review"), {"fields": ["status_badge", "verdict_link", "author", "published_at", "updated_at"]}),
        (_("Internal"), {"fields": ["internal_notes"]}),
    ]
    list_per_page = 50

    class Media:
        css = {"all": ["claims/admin.css"]}

    def view_on_site(self, obj: Claim) -> str | None:  # type: ignore[override]
        # Only public claims have a page; a draft's link would be a 404 (and a hint of its existence).
        return obj.get_absolute_url() if obj.is_public else None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return (
            super()
            .get_queryset(request)
            .select_related("claimant", "author", "verdict__rating")
            .prefetch_related("verdict__rating__labels")
        )

    @admin.display(description=_("claim"), ordering="text")
    def short_text(self, obj: Claim) -> str:
        return str(obj)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Claim) -> str:
        if not obj.pk:
            return "—"
        return format_html('<span class="claim-status claim-status-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description=_("rating"), ordering="verdict__rating__value")
    def rating(self, obj: Claim) -> str:
        verdict = getattr(obj, "verdict", None)
        return str(verdict.rating) if verdict else "—"

    @admin.display(description=_("verdict"))
    def verdict_link(self, obj: Claim) -> str:
        if not obj.pk:
            return gettext("Save the claim first, then write its verdict.")
        verdict = Verdict.objects.filter(claim=obj).select_related("rating").first()
        if verdict is None:
            url = reverse("admin:claims_verdict_add") + f"?claim={obj.pk}"
            return format_html('<a class="button" href="{}">{}</a>', url, gettext("Write the verdict"))
        url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        return format_html('<a href="{}">{}</a>', url, str(verdict.rating))

    def has_change_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or workflow.can_edit(request.user, obj))  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        try:
            workflow.check_can_delete(request.user, obj)  # type: ignore[arg-type]
        except workflow.WorkflowError:
            return False
        return True

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # A claim owns its audit trail, verdict and texts; permission to delete the claim (checked by
        # the workflow) is permission to delete them with it — not one by one through their own pages.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = {
            str(model._meta.verbose_name)
            for model in (ReviewEvent, Verdict, VerdictText, Evidence, VerdictVersion, ClaimTranslation, Appearance)
        }
        return deleted, counts, {name for name in perms_needed if str(name) not in owned}, protected

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # A public claim's page must stay: say so on its page (with the Retract button), not with a bare 403.
        claim = self.get_object(request, unquote(object_id))
        if claim is not None and claim.is_public:
            self.message_user(request, DELETE_PUBLIC_REFUSED, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description=delete_selected.short_description, permissions=["delete"])  # type: ignore[attr-defined]
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        # Refused before the confirmation page, with the claims named: their pages must stay.
        public = list(queryset.filter(status__in=PUBLIC_STATUSES).values_list("pk", flat=True)[:20])
        if public:
            self.message_user(
                request,
                f"{', '.join(f'#{pk}' for pk in public)} {DELETE_PUBLIC_REFUSED}",
                messages.ERROR,
            )
            return None
        return delete_selected(self, request, queryset)  # type: ignore[no-any-return]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        # The bulk "delete selected" action: refuse the whole batch if any claim may not go.
        for claim in queryset:
            try:
                workflow.check_can_delete(request.user, claim)  # type: ignore[arg-type]
            except workflow.WorkflowError as error:
                raise PermissionDenied(f"#{claim.pk}: {error.message}") from None
        super().delete_queryset(request, queryset)

    def save_model(self, request: HttpRequest, obj: Claim, form: Any, change: bool) -> None:
        if not change:
            obj.author = request.user  # type: ignore[assignment]
            super().save_model(request, obj, form, change)
            workflow.record_created(obj, request.user)  # type: ignore[arg-type]
            return
        obj.version += 1  # the form locked the row and checked the version it saw
        super().save_model(request, obj, form, change)

    # --- The workflow panel --------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="claims_claim_transition",
            ),
            path(
                "<int:object_id>/duplicate/",
                self.admin_site.admin_view(self.duplicate_view),
                name="claims_claim_duplicate",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        claim = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if claim is not None and self.has_view_permission(request, claim):
            user = request.user
            extra_context.update(
                workflow_actions=[(a, workflow.ACTION_LABELS[a]) for a in workflow.available_actions(user, claim)],  # type: ignore[arg-type]
                publish_problems=workflow.publish_problems(claim)
                if claim.status
                in (ClaimStatus.DRAFT, ClaimStatus.IN_REVIEW, ClaimStatus.CHANGES_REQUESTED, ClaimStatus.APPROVED)
                else [],
                events=ReviewEvent.objects.filter(claim=claim).select_related("actor").order_by("created_at", "id"),
                versions=VerdictVersion.objects.filter(verdict__claim=claim)
                .select_related("rating", "created_by")
                .prefetch_related("rating__labels", "corrections"),
                corrections=Correction.objects.filter(claim=claim).select_related("created_by"),
                claim_version=claim.version,
                action_labels=workflow.ACTION_LABELS,
                public_url=claim.get_absolute_url() if claim.is_public else "",
                linked=linked_claims(claim, None),
                can_link=request.user.has_perm("claims.add_claimlink"),
                suggestions=DuplicateSuggestion.objects.filter(Q(claim=claim) | Q(candidate=claim))
                .select_related("claim", "candidate", "decided_by")
                .order_by(
                    Case(When(status=DuplicateSuggestion.Status.PENDING, then=Value(0)), default=Value(1)),
                    "-score",
                ),
                can_decide=request.user.has_perm("claims.change_duplicatesuggestion"),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        claim = get_object_or_404(Claim, pk=object_id)
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        if not self.has_view_permission(request, claim):
            raise PermissionDenied
        action = request.POST.get("action", "")
        comment = request.POST.get("comment", "")
        try:
            seen = int(request.POST.get("version", ""))
        except ValueError:
            seen = None
        recheck_after = None
        if request.POST.get("recheck_after"):
            try:
                recheck_after = dt.date.fromisoformat(request.POST["recheck_after"])
            except ValueError:
                self.message_user(request, gettext("The re-check date must be a date (YYYY-MM-DD)."), messages.ERROR)
                return HttpResponseRedirect(change_url)
        try:
            updated = workflow.transition(
                claim.pk,
                request.user,
                action,
                comment=comment,
                expected_version=seen,
                recheck_after=recheck_after,  # type: ignore[arg-type]
            )
        except workflow.WorkflowError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("Done (%(action)s). The claim's status is now “%(status)s”.")
                % {"action": workflow.ACTION_LABELS.get(action, action), "status": updated.get_status_display()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(change_url)

    def duplicate_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Confirm or dismiss a suggested duplicate from the claim's page."""
        claim = get_object_or_404(Claim, pk=object_id)
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        if not request.user.has_perm("claims.change_duplicatesuggestion"):
            raise PermissionDenied
        decision = request.POST.get("decision", "")
        try:
            suggestion_id = int(request.POST.get("suggestion", ""))
        except ValueError:
            suggestion_id = 0
        if (
            decision not in ("confirm", "dismiss")
            or not DuplicateSuggestion.objects.filter(Q(claim=claim) | Q(candidate=claim), pk=suggestion_id).exists()
        ):
            self.message_user(
                request, gettext("Choose a suggestion of this claim to confirm or dismiss."), messages.ERROR
            )
            return HttpResponseRedirect(change_url)
        try:
            suggestion = duplicates.decide(suggestion_id, request.user, confirm=decision == "confirm")
        except duplicates.DecisionError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            other = suggestion.candidate_id if suggestion.claim_id == claim.pk else suggestion.claim_id
            done = (
                gettext("Linked as the same claim as #%(id)s.")
                if suggestion.status == DuplicateSuggestion.Status.CONFIRMED
                else gettext("Dismissed: #%(id)s is not a duplicate.")
            )
            self.message_user(request, done % {"id": other}, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    # --- Search ---------------------------------------------------------------------------------------------

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Claim], search_term: str
    ) -> tuple[QuerySet[Claim], bool]:
        """The newsroom's search (diacritics, respellings, translations; best first); "#12" or "12" is
        claim 12."""
        term = search_term.strip()
        if not term:
            return queryset, False
        number = term.removeprefix("#")
        found = None
        if number.isdigit() and len(number) < 19:
            found = queryset.filter(pk=int(number))
            if not found.exists():
                found = None
        if found is None:
            found = search_claims(queryset, term)
        if "search_rank" not in found.query.annotations:  # by number, or nothing to search for
            found = found.annotate(search_rank=Value(1, output_field=IntegerField()))
        return found, False

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return RankedChangeList


# --- Links between claims and duplicate suggestions ------------------------------------------------------


@admin.register(ClaimLink)
class ClaimLinkAdmin(admin.ModelAdmin):
    list_display = ["from_claim", "kind", "to_claim", "created_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["from_claim", "to_claim", "created_by"]
    autocomplete_fields = ["from_claim", "to_claim"]
    fields = ["from_claim", "kind", "to_claim", "note", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    search_fields = ["from_claim__text", "to_claim__text", "note"]

    def save_model(self, request: HttpRequest, obj: ClaimLink, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: ClaimLink, post_url_continue: str | None = None) -> HttpResponse:
        # Back to the claim the link was made from.
        if "_popup" not in request.POST and "_addanother" not in request.POST and "_continue" not in request.POST:
            self.message_user(
                request, gettext("Linked: %(link)s.") % {"link": obj.get_kind_display()}, messages.SUCCESS
            )
            return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[obj.from_claim_id]))
        return super().response_add(request, obj, post_url_continue)


@admin.register(DuplicateSuggestion)
class DuplicateSuggestionAdmin(admin.ModelAdmin):
    """The queue of possible duplicates across the newsroom; each is decided from its claim's page too."""

    list_display = ["claim", "candidate", "score", "status", "decided_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["claim", "candidate", "decided_by"]
    readonly_fields = ["claim", "candidate", "score", "status", "decided_by", "decided_at", "created_at"]
    actions = ["confirm", "dismiss"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet[DuplicateSuggestion], confirm: bool) -> None:
        done, problems = 0, []
        for suggestion_id in queryset.values_list("pk", flat=True):
            try:
                duplicates.decide(suggestion_id, request.user, confirm=confirm)
                done += 1
            except duplicates.DecisionError as error:
                problems.append(f"#{suggestion_id}: {error.message}")
        if done:
            self.message_user(
                request, ngettext("%(n)d suggestion decided.", "%(n)d suggestions decided.", done) % {"n": done}
            )
        for problem in problems:
            self.message_user(request, problem, messages.WARNING)

    @admin.action(description=_("Confirm: they are the same claim"), permissions=["change"])
    def confirm(self, request: HttpRequest, queryset: QuerySet[DuplicateSuggestion]) -> None:
        self._decide(request, queryset, confirm=True)

    @admin.action(description=_("Dismiss: not a duplicate"), permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[DuplicateSuggestion]) -> None:
        self._decide(request, queryset, confirm=False)


# --- Claim candidates -----------------------------------------------------------------------------------


@admin.register(ClaimCandidate)
class ClaimCandidateAdmin(admin.ModelAdmin):
    """Sentences of sources worth checking, best first: accept one to start a draft claim from it."""

    list_display = ["sentence", "source", "score", "why", "claimant", "status", "claim_link"]
    list_filter = ["status", "source__language"]
    list_select_related = ["source", "source__outlet", "claimant", "claim"]
    search_fields = ["text", "source__title", "source__url"]
    ordering = ["status", "-score", "source", "start"]
    actions = ["accept", "dismiss"]
    fields = readonly_fields = (
        "in_context",
        "source",
        "score",
        "why",
        "claimant",
        "status",
        "claim_link",
        "decided_by",
        "decided_at",
    )
    change_form_template = "admin/claims/claimcandidate/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("sentence"))
    def sentence(self, obj: ClaimCandidate) -> str:
        return obj.text if len(obj.text) <= 200 else obj.text[:199] + "…"

    @admin.display(description=_("why"))
    def why(self, obj: ClaimCandidate) -> str:
        return ", ".join(str(REASON_LABELS.get(code, code)) for code in obj.reasons)

    @admin.display(description=_("claim"))
    def claim_link(self, obj: ClaimCandidate) -> str:
        if obj.claim_id is None:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:claims_claim_change", args=[obj.claim_id]), obj.claim_id
        )

    @admin.display(description=_("in the source"))
    def in_context(self, obj: ClaimCandidate) -> str:
        text = obj.source.text
        start = max(text.rfind("\n", 0, obj.start) + 1, obj.start - 400)
        end = text.find("\n", obj.end)
        end = min(len(text) if end < 0 else end, obj.end + 400)
        marked = mark_spans(text[start:end], [(obj.start - start, obj.end - start, {})])
        return format_html(
            '<div class="quoted-text" lang="{}">{}{}{}</div>',
            obj.source.language,
            "…" if start > 0 else "",
            marked,
            "…" if end < len(text) else "",
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="claims_claimcandidate_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        candidate = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        extra_context["can_decide"] = (
            candidate is not None
            and candidate.status == CandidateStatus.PENDING
            and self.has_change_permission(request, candidate)
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Accept (a draft claim is made, and opened for editing) or dismiss one candidate."""
        candidate = get_object_or_404(ClaimCandidate, pk=object_id)
        here = reverse("admin:claims_claimcandidate_change", args=[candidate.pk])
        if request.method != "POST":
            return HttpResponseRedirect(here)
        if not self.has_change_permission(request, candidate):
            raise PermissionDenied
        decision = request.POST.get("decision", "")
        if decision == "accept":
            try:
                claim = candidates.accept_candidate(candidate.pk, request.user)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(here)
            self.message_user(
                request,
                gettext("Draft claim #%(id)s made from the sentence, quoted in its source: edit it, then submit it.")
                % {"id": claim.pk},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        if decision == "dismiss":
            candidates.dismiss_candidates([candidate.pk], request.user)  # type: ignore[arg-type]
            self.message_user(request, gettext("Dismissed."), messages.SUCCESS)
            changelist = reverse("admin:claims_claimcandidate_changelist")
            return HttpResponseRedirect(f"{changelist}?source__id__exact={candidate.source_id}&status__exact=pending")
        self.message_user(request, gettext("Choose to accept or dismiss the sentence."), messages.ERROR)
        return HttpResponseRedirect(here)

    @admin.action(description=_("Accept: make draft claims of them"), permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet[ClaimCandidate]) -> None:
        made, problems = [], []
        for candidate_id in queryset.order_by("source", "start").values_list("pk", flat=True):
            try:
                made.append(candidates.accept_candidate(candidate_id, request.user).pk)  # type: ignore[arg-type]
            except DomainError as error:
                problems.append(f"#{candidate_id}: {error.message}")
        if made:
            self.message_user(
                request,
                ngettext("Draft claim made: %(ids)s.", "Draft claims made: %(ids)s.", len(made))
                % {"ids": ", ".join(f"#{pk}" for pk in made)},
                messages.SUCCESS,
            )
        for problem in problems:
            self.message_user(request, problem, messages.WARNING)

    @admin.action(description=_("Dismiss: not worth checking"), permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[ClaimCandidate]) -> None:
        count = candidates.dismiss_candidates(queryset.values_list("pk", flat=True), request.user)  # type: ignore[arg-type]
        self.message_user(
            request, ngettext("%(n)d sentence dismissed.", "%(n)d sentences dismissed.", count) % {"n": count}
        )


#: The reasons ``sources.candidates`` gives, in words.
REASON_LABELS = {
    "percent": _("a percentage"),
    "number": _("a figure"),
    "quantity-word": _("a quantity in words"),
    "casualty": _("casualties"),
    "date": _("a date"),
    "actor": _("a known actor or place"),
    "proper-name": _("a name"),
    "attribution": _("attributed"),
    "comparison": _("a comparison"),
    "quotation": _("a quotation"),
    "question": _("a question"),
    "short": _("too short"),
    "long": _("very long"),
    "appeal": _("a call or demand"),
    "boilerplate": _("caption or byline"),
}


# --- Verdicts ----------------------------------------------------------------------------------------


class VerdictForm(SeenVersionForm):
    correction_note = forms.CharField(
        label=_("Correction note (public)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Required when changing a published verdict: readers see what changed and why."),
    )

    class Meta:
        model = Verdict
        fields = ["claim", "rating", "valid_as_of", "recheck_after"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "rating" in self.fields:
            self.fields["rating"].queryset = Rating.objects.filter(is_active=True).prefetch_related("labels")  # type: ignore[attr-defined]

    def current_version(self) -> int:
        # Lock the claim first, and judge the save by the claim as it is now: the copy loaded with the
        # verdict may predate a retraction that committed while the form was open.
        self.instance.claim = Claim.objects.select_for_update().get(pk=self.instance.claim_id)
        return Verdict.objects.values_list("version", flat=True).get(pk=self.instance.pk)


class VerdictTextFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        claim = getattr(self.instance, "claim", None) if self.instance.pk else None
        if claim is None or claim.status in (ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED):
            return
        languages = {
            form.cleaned_data.get("language")
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        }
        if claim.language not in languages:
            raise ValidationError(
                gettext("The verdict must keep its headline and explanation in the claim's language (%(language)s).")
                % {"language": claim.language}
            )


class VerdictTextInline(admin.StackedInline):
    model = VerdictText
    formset = VerdictTextFormSet
    extra = 1
    fields = ["language", "headline", "explanation"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "stance", "note"]


class RecheckDueFilter(admin.SimpleListFilter):
    title = _("re-check")
    parameter_name = "recheck"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("due", _("due for re-check"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Verdict]) -> QuerySet[Verdict]:
        if self.value() == "due":
            return queryset.filter(Q(recheck_due_since__isnull=False) | Q(recheck_after__lte=timezone.localdate()))
        return queryset


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):
    form = VerdictForm
    list_display = ["claim", "rating", "claim_status", "author", "reviewer", "recheck_after", "updated_at"]
    list_filter = [RecheckDueFilter, "rating", "claim__status", "claim__language"]
    search_fields = ["claim__text", "texts__headline"]
    autocomplete_fields = ["claim"]
    inlines = [VerdictTextInline, EvidenceInline]
    readonly_fields = ["author", "reviewer", "claim_status"]
    list_select_related = ["claim", "rating", "author", "reviewer"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Verdict]:
        return super().get_queryset(request).prefetch_related("rating__labels")

    def get_fieldsets(self, request: HttpRequest, obj: Verdict | None = None) -> Any:
        fields: list[str] = ["claim", "claim_status", "rating", "valid_as_of", "recheck_after", "seen_version"]
        if obj is not None and obj.claim.status == ClaimStatus.PUBLISHED:
            fields.append("correction_note")
        return [(None, {"fields": fields}), (_("People"), {"fields": ["author", "reviewer"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Verdict | None = None) -> Any:
        return [*self.readonly_fields, "claim"] if obj is not None else self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        unrated = Rating.objects.filter(slug="unproven").values_list("pk", flat=True).first()
        if unrated and "rating" not in initial:
            initial["rating"] = unrated
        return initial

    @admin.display(description=_("claim status"))
    def claim_status(self, obj: Verdict) -> str:
        return obj.claim.get_status_display() if obj.claim_id else "—"

    def _may_write(self, request: HttpRequest, claim: Claim) -> bool:
        if claim.status == ClaimStatus.PUBLISHED:
            try:
                workflow.check_correction(request.user, claim, note=None)  # type: ignore[arg-type]
            except workflow.WorkflowError:
                return False
            return True
        return workflow.can_edit(request.user, claim)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Verdict | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or self._may_write(request, obj.claim))

    def has_delete_permission(self, request: HttpRequest, obj: Verdict | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or obj.claim.status not in (
            ClaimStatus.PUBLISHED,
            ClaimStatus.RETRACTED,
            ClaimStatus.APPROVED,
        )

    def get_form(self, request: HttpRequest, obj: Verdict | None = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)

        class RuledVerdictForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                claim = self.instance.claim if self.instance.pk else cleaned.get("claim")
                if claim is None:
                    return cleaned
                if not self.instance.pk and Verdict.objects.filter(claim=claim).exists():
                    raise ValidationError(gettext("This claim already has a verdict: edit that one."))
                try:
                    if claim.status == ClaimStatus.PUBLISHED:
                        workflow.check_correction(request.user, claim, cleaned.get("correction_note", ""))  # type: ignore[arg-type]
                    else:
                        workflow.check_can_edit(request.user, claim)  # type: ignore[arg-type]
                except workflow.WorkflowError as error:
                    raise ValidationError(error.message) from None
                return cleaned

        return RuledVerdictForm

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            # What the verdict said before this save, to tell a correction from a note alone.
            request._verdict_before = workflow.verdict_substance(Verdict.objects.get(pk=form.instance.pk))  # type: ignore[attr-defined]
        return super().save_form(request, form, change)

    def save_model(self, request: HttpRequest, obj: Verdict, form: Any, change: bool) -> None:
        if change:
            obj.version += 1
        else:
            obj.author = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        verdict = form.instance
        claim = verdict.claim
        before = getattr(request, "_verdict_before", None)
        substantive = before is None or workflow.verdict_substance(verdict) != before
        with transaction.atomic():
            if claim.status == ClaimStatus.PUBLISHED and substantive:
                workflow.record_correction(claim, request.user, form.cleaned_data.get("correction_note", ""))  # type: ignore[arg-type]
            else:
                if claim.status == ClaimStatus.PUBLISHED:
                    self.message_user(
                        request,
                        gettext(
                            "Rating, headlines, explanations and evidence are unchanged: no correction was published."
                        ),
                        messages.WARNING,
                    )
                workflow.note_content_changed(claim)


# --- Ratings and the record ------------------------------------------------------------------------


class RatingLabelInline(admin.TabularInline):
    model = RatingLabel
    extra = 1


@admin.register(Rating)
class RatingAdmin(ProtectedFirstMixin, admin.ModelAdmin):
    list_display = ["__str__", "slug", "value", "rating_class", "is_active"]
    list_filter = ["rating_class", "is_active"]
    search_fields = ["slug", "labels__label"]
    inlines = [RatingLabelInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rating]:
        return super().get_queryset(request).prefetch_related("labels")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ReadOnlyAdmin(admin.ModelAdmin):
    """The audit record is written by the workflow only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "claim", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "to_status"]
    search_fields = ["claim__text", "comment", "actor__username"]
    list_select_related = ["claim", "actor"]
    date_hierarchy = "created_at"


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "claim", "note", "created_by"]
    search_fields = ["claim__text", "note"]
    list_select_related = ["claim", "created_by"]


# --- The readers' inbox: claims sent to check, complaints and replies ------------------------------------


class ReaderMessageAdmin(admin.ModelAdmin):
    """What a reader wrote is kept as written (read-only); editors set its status and their notes."""

    reader_fields: list[str] = []
    list_filter = ["status", "language", "created_at"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["mark_in_progress", "mark_done", "mark_rejected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.reader_fields, "name", "email", "language", "created_at", "handled_by", "handled_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # readers write these, through the public forms

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # spam is marked rejected; only a superuser purges

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if "status" in form.changed_data:
            for name, value in self._handling(request, obj.status).items():
                setattr(obj, name, value)
        super().save_model(request, obj, form, change)

    @staticmethod
    def _handling(request: HttpRequest, status: str) -> dict[str, Any]:
        """Who closed a message and when; a message back in the queue has neither."""
        closed = status in (InboxStatus.DONE, InboxStatus.REJECTED)
        return {"handled_by": request.user if closed else None, "handled_at": timezone.now() if closed else None}

    def _mark(self, request: HttpRequest, queryset: QuerySet[Any], status: str) -> None:
        count = queryset.update(status=status, **self._handling(request, status))
        self.message_user(
            request,
            ngettext("%(count)d message marked “%(status)s”.", "%(count)d messages marked “%(status)s”.", count)
            % {"count": count, "status": InboxStatus(status).label},
        )

    @admin.action(description=_("Mark as in progress"), permissions=["change"])
    def mark_in_progress(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._mark(request, queryset, InboxStatus.IN_PROGRESS)

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_done(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._mark(request, queryset, InboxStatus.DONE)

    @admin.action(description=_("Mark as rejected (not checkable, spam)"), permissions=["change"])
    def mark_rejected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._mark(request, queryset, InboxStatus.REJECTED)


@admin.register(ClaimTip)
class ClaimTipAdmin(ReaderMessageAdmin):
    reader_fields = ["text", "where_seen", "context"]
    list_display = ["created_at", "short_text", "status", "language", "claim"]
    search_fields = ["text", "context", "where_seen", "email", "name"]
    list_select_related = ["claim"]
    actions = [*ReaderMessageAdmin.actions, "make_drafts"]
    fields = [
        "text",
        "where_seen",
        "context",
        "name",
        "email",
        "language",
        "created_at",
        "status",
        "claim",
        "editor_notes",
        "handled_by",
        "handled_at",
    ]
    raw_id_fields = ["claim"]

    @admin.display(description=_("claim sent"), ordering="text")
    def short_text(self, obj: ClaimTip) -> str:
        return obj.text[:120]

    @admin.action(description=_("Make draft claims from them"), permissions=["change"])
    def make_drafts(self, request: HttpRequest, queryset: QuerySet[ClaimTip]) -> None:
        made = 0
        for tip in queryset.filter(claim__isnull=True):
            try:
                with transaction.atomic():
                    claim = workflow.create_claim(request.user, tip.text.strip(), tip.language)  # type: ignore[arg-type]
                    if tip.context or tip.where_seen:
                        claim.internal_notes = "\n".join(part for part in (tip.where_seen, tip.context) if part)
                        claim.save(update_fields=["internal_notes"])
                    tip.claim = claim
                    tip.status = InboxStatus.IN_PROGRESS
                    tip.save(update_fields=["claim", "status"])
                made += 1
            except (workflow.WorkflowError, ValidationError) as error:
                messages.error(request, f"{tip}: {getattr(error, 'message', None) or '; '.join(error.messages)}")  # type: ignore[union-attr]
        if made:
            self.message_user(
                request,
                ngettext("%(count)d draft claim made.", "%(count)d draft claims made.", made) % {"count": made},
            )


@admin.register(Complaint)
class ComplaintAdmin(ReaderMessageAdmin):
    reader_fields = ["kind", "claim", "message"]
    list_display = ["created_at", "kind", "short_message", "claim", "status", "language"]
    list_filter = ["status", "kind", "language", "created_at"]
    search_fields = ["message", "email", "name", "claim__text"]
    list_select_related = ["claim"]
    fields = [
        "kind",
        "claim",
        "message",
        "name",
        "email",
        "language",
        "created_at",
        "status",
        "editor_notes",
        "handled_by",
        "handled_at",
    ]

    @admin.display(description=_("message"), ordering="message")
    def short_message(self, obj: Complaint) -> str:
        return obj.message[:120]
