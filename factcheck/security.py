"""Refusing password and token guessing: failed admin logins and invalid API tokens, counted per client.

The counts live in the default cache (Redis in production), kept by django-ratelimit, the library that
already limits the public forms and searches. django-axes, the other candidate, adds database tables and
an authentication backend that demands the request (so every ``authenticate()`` without one, the test
client's and management commands', fails), and it would still not see API tokens, which DRF checks
without ``authenticate()``. Counts are kept in windows that end (``ADMIN_LOGIN_RATE`` and friends): a
refused editor waits at most one window, however long an attacker keeps trying.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, ngettext
from django_ratelimit.core import get_usage
from rest_framework import authentication, exceptions
from rest_framework.request import Request

REFUSED = "too_many_attempts"


def _no_address(group: str, request: HttpRequest | Request) -> str:
    return "no-address"


def _usage(request: HttpRequest | Request, group: str, rate: str, *, increment: bool) -> dict[str, Any] | None:
    # By the client's address as django-ratelimit reads it (an IPv6 client by its /64). A request without one
    # (a WSGI server that sets no REMOTE_ADDR, an in-process test client) shares one count, not a 500.
    key: Any = "ip" if request.META.get(settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR") else _no_address
    return get_usage(request, group=group, key=key, rate=rate, increment=increment)


def _refused_for(usage: dict[str, Any] | None) -> int:
    """Seconds until the window ends if the count has reached its limit (a failed cache refuses), else 0."""
    if usage is None:  # RATELIMIT_ENABLE is off
        return 0
    if usage["count"] >= usage["limit"]:
        return max(int(usage["time_left"]), 1)
    return 0


# --- Admin logins -------------------------------------------------------------------------------------------


def _login_groups(username: str) -> list[tuple[str, str]]:
    # The address and the username together, so an attacker elsewhere cannot lock an editor out; the address
    # alone, so one address cannot try a password on every username in turn.
    return [
        (f"admin-login:{username.strip().casefold()}", settings.ADMIN_LOGIN_RATE),
        ("admin-login", settings.ADMIN_LOGIN_ADDRESS_RATE),
    ]


def login_wait(request: HttpRequest, username: str) -> int:
    """Seconds this address must wait before trying this username again; 0 if it may try now."""
    return max(_refused_for(_usage(request, group, rate, increment=False)) for group, rate in _login_groups(username))


def count_failed_login(request: HttpRequest, username: str) -> None:
    for group, rate in _login_groups(username):
        _usage(request, group, rate, increment=True)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing an address that has failed too often lately (before the password
    is even checked: a right guess in a refused window is refused too)."""

    retry_after = 0  # seconds, when refused

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        wait = login_wait(self.request, username) if self.request is not None else 0
        if wait:
            self.retry_after = wait
            minutes = math.ceil(wait / 60)
            raise ValidationError(
                ngettext(
                    "Too many failed logins. Wait %(minutes)d minute, then try again.",
                    "Too many failed logins. Wait %(minutes)d minutes, then try again.",
                    minutes,
                )
                % {"minutes": minutes},
                code=REFUSED,
            )
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None:
                count_failed_login(self.request, username)
            raise


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's own login view with ``AdminLoginForm``; a refused attempt answers 429 with Retry-After."""
    response = admin.site.login(request, extra_context)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if form is not None and form.has_error(NON_FIELD_ERRORS, REFUSED):
        response.status_code = 429
        response["Retry-After"] = str(form.retry_after)
    return response


# --- API tokens ---------------------------------------------------------------------------------------------


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, refusing an address that sent too many invalid tokens lately (429, with any
    token, valid or not, until the window ends: otherwise the guessing would simply go on)."""

    def authenticate(self, request: Request) -> Any:
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None  # no token: nothing to guess, nothing to count
        wait = _refused_for(_usage(request, "api-invalid-token", settings.API_INVALID_TOKEN_RATE, increment=False))
        if wait:
            raise exceptions.Throttled(wait=wait, detail=gettext("Too many requests with an invalid token."))
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            _usage(request, "api-invalid-token", settings.API_INVALID_TOKEN_RATE, increment=True)
            raise
