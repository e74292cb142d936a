"""The public forms: a reader sends a claim to check, or a complaint / correction request / reply.

What readers type is stored as typed (escaped wherever it is shown) and only ever shown to the
newsroom, in the admin. A honeypot field catches the simplest bots; rate limits (in the views) the rest.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from sources.text import is_blank

from .models import MAX_READER_MESSAGE, MAX_TIP_TEXT, Claim, ClaimTip, Complaint


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by the stylesheet, skipped by keyboard and screen readers)."""

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ClaimTipForm(HoneypotMixin, forms.ModelForm):
    text = forms.CharField(
        label=_("The claim you want checked"),
        max_length=MAX_TIP_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TIP_TEXT}),
        help_text=_("Quote it as exactly as you can."),
    )
    where_seen = forms.URLField(
        label=_("Where you saw it (a link)"),
        required=False,
        max_length=2048,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    context = forms.CharField(
        label=_("Anything else we should know"),
        required=False,
        max_length=MAX_READER_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_READER_MESSAGE}),
    )
    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail (optional)"), required=False, help_text=_("Only to tell you about our check.")
    )

    class Meta:
        model = ClaimTip
        fields = ["text", "where_seen", "context", "name", "email"]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if is_blank(text):
            raise forms.ValidationError(_("Write the claim you want checked."))
        return text


class ComplaintForm(HoneypotMixin, forms.ModelForm):
    kind = forms.ChoiceField(label=_("What is it?"), choices=Complaint.Kind.choices, widget=forms.RadioSelect)
    claim = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    message = forms.CharField(
        label=_("Your message"),
        max_length=MAX_READER_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_READER_MESSAGE}),
        help_text=_("For a correction, say what is wrong and how you know."),
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"), help_text=_("So that we can answer you."))

    class Meta:
        model = Complaint
        fields = ["kind", "message", "name", "email"]

    def clean_claim(self) -> Claim | None:
        pk = self.cleaned_data.get("claim")
        if pk is None:
            return None
        claim = Claim.objects.public().filter(pk=pk).first()
        if claim is None:
            raise forms.ValidationError(_("There is no published fact-check with this number."))
        return claim

    def clean_message(self) -> str:
        message = self.cleaned_data["message"]
        if is_blank(message):
            raise forms.ValidationError(_("Write your message."))
        return message

    def save(self, commit: bool = True) -> Any:
        self.instance.claim = self.cleaned_data.get("claim")
        return super().save(commit=commit)
