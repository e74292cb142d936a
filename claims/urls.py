"""Public pages, mounted under /<lang>/ by ``factcheck.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/<int:pk>-<str:slug>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-noslug"),
    path("actors/<int:pk>-<str:slug>/", views.actor_detail, name="actor"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
]
