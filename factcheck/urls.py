"""Top-level URLs: the admin, the public site under /<lang>/ (i18n_patterns), and the API."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from claims import views as claim_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", claim_views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", include(("claims.urls", "public"), namespace="public")),
    prefix_default_language=True,
)
