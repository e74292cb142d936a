"""What every public page knows: the newsroom's name and the site's absolute address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"NEWSROOM_NAME": settings.NEWSROOM_NAME, "SITE_URL": settings.SITE_URL}
