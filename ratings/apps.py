from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class RatingsConfig(AppConfig):
    name = "ratings"

    def ready(self):
        from ratings.counters import user_ratings_forget

        # The auth admin deletes users without our services: the one path we must hook.
        pre_delete.connect(
            user_ratings_forget, sender=settings.AUTH_USER_MODEL, dispatch_uid="ratings-user"
        )
