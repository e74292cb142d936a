"""Public pages, mounted under /<lang>/ by ``factcheck.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>-<str:slug>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-noslug"),
    path("actors/<int:pk>-<str:slug>/", views.actor_detail, name="actor"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("outlets/<int:pk>-<str:slug>/", views.outlet_detail, name="outlet"),
    path("methodology/", views.methodology, name="methodology"),
    path("corrections-policy/", views.corrections_policy, name="corrections-policy"),
    path("corrections/", views.corrections_log, name="corrections"),
    path("corrections.json", views.corrections_log_json, name="corrections-json"),
    path("submit/", views.submit_claim, name="submit"),
    path("complaint/", views.complaint, name="complaint"),
    path("thanks/", views.thanks, name="thanks"),
]
