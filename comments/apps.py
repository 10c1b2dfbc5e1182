from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from articles.querysets import story_extra
        from comments.counters import user_reports_forget
        from comments.selectors import story_thread_digest

        # The thread's digest (the key of its cached piece) comes with the story, in its
        # one statement (articles/reading.py).
        story_extra("thread_digest", story_thread_digest)

        # The auth admin deletes users without our services: the one path we must hook.
        pre_delete.connect(
            user_reports_forget, sender=settings.AUTH_USER_MODEL, dispatch_uid="comments-user"
        )
