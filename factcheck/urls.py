"""Top-level URLs: the admin, the public site under /<lang>/ (i18n_patterns), and the API."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims import api, api_exports
from claims import views as claim_views
from claims.feeds import ActorFeed, ClaimsFeed
from claims.sitemaps import SITEMAPS, sitemap_index

from . import security

router = DefaultRouter()
router.register("claims", api.ClaimViewSet, basename="claim")
router.register("sources", api.SourceViewSet, basename="source")
router.register("actors", api.ActorViewSet, basename="actor")
router.register("outlets", api.OutletViewSet, basename="outlet")

# Failed logins are counted and an address that fails too often is refused for a while (factcheck.security).
admin.site.login_form = security.AdminLoginForm


class APIDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the Content-Security-Policy: its start-up script is a request of its own (the split
    view) and its page styles a static file (the template), nothing inline."""

    template_name = "api_docs.html"


urlpatterns = [
    path("admin/login/", security.admin_login),  # before the admin's own, which it wraps
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", claim_views.healthz, name="healthz"),
    path("robots.txt", claim_views.robots_txt, name="robots"),
    path("favicon.ico", claim_views.favicon, name="favicon"),
    path("feeds/claims.xml", ClaimsFeed(), name="feed-claims"),
    path("feeds/actors/<int:pk>.xml", ActorFeed(), name="feed-actor"),
    path("sitemap.xml", sitemap_index, name="sitemap-index"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/v1/ratings/", api.RatingListView.as_view(), name="api-ratings"),
    path("api/v1/exports/claims.csv", api_exports.ClaimsCSVExportView.as_view(), name="api-export-claims-csv"),
    path("api/v1/exports/claims.jsonl", api_exports.ClaimsJSONLExportView.as_view(), name="api-export-claims-jsonl"),
    path("api/v1/claimreview/", api.ClaimReviewFeedView.as_view(), name="api-claimreview-feed"),
    path("api/v1/", include((router.urls, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", APIDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns += i18n_patterns(
    path("", include(("claims.urls", "public"), namespace="public")),
    prefix_default_language=True,
)


def _api_or_page(status: int, message: str, page_handler):  # type: ignore[no-untyped-def]
    """API paths answer errors in the API's JSON shape; pages keep Django's pages."""
    from sources.api import json_error

    def handler(request, exception=None):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            return json_error(request, status, message)
        return page_handler(request, exception) if exception is not None else page_handler(request)

    return handler


handler400 = _api_or_page(400, "Bad request (the body may be over the size limit).", defaults.bad_request)
handler404 = _api_or_page(404, "Not found.", defaults.page_not_found)
