from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Claims and verdicts")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save

        from . import signals
        from .models import Rating, RatingLabel
        from .ratings import clear_rating_scale, end_request, start_request
        from .search import set_similarity_threshold

        signals.connect()
        connection_created.connect(set_similarity_threshold, dispatch_uid="search-similarity-threshold")
        for model in (Rating, RatingLabel):
            post_save.connect(clear_rating_scale, sender=model, dispatch_uid=f"clear-rating-scale-{model.__name__}")
            post_delete.connect(clear_rating_scale, sender=model, dispatch_uid=f"clear-rating-scale-d-{model.__name__}")
        request_started.connect(start_request, dispatch_uid="rating-scale-request-started")
        request_finished.connect(end_request, dispatch_uid="rating-scale-request-finished")
