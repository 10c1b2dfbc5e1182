from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from comments.counters import user_reports_forget

        # The auth admin deletes users without our services: the one path we must hook.
        pre_delete.connect(
            user_reports_forget, sender=settings.AUTH_USER_MODEL, dispatch_uid="comments-user"
        )
