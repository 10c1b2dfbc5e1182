from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class PollsConfig(AppConfig):
    name = "polls"

    def ready(self):
        from articles.querysets import story_extra
        from polls.counters import user_poll_votes_forget
        from polls.models import article_poll_rows

        # The polls come with the story, in its one statement (articles/reading.py).
        story_extra("poll_rows", article_poll_rows)

        # The auth admin deletes users without our services: the one path we must hook.
        pre_delete.connect(
            user_poll_votes_forget, sender=settings.AUTH_USER_MODEL, dispatch_uid="polls-user"
        )
