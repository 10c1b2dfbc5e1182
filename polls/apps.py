from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class PollsConfig(AppConfig):
    name = "polls"

    def ready(self):
        from polls.counters import user_poll_votes_forget

        # The auth admin deletes users without our services: the one path we must hook.
        pre_delete.connect(
            user_poll_votes_forget, sender=settings.AUTH_USER_MODEL, dispatch_uid="polls-user"
        )
