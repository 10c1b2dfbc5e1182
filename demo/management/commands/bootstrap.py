"""First-run set-up for `make run`: demo content once, and a demo editor account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article

DEMO_USERNAME = "editor"
DEMO_EMAIL = "editor@example.com"
DEMO_PASSWORD = "newsroom-demo-2026"  # noqa: S105 - printed on purpose; development only


class Command(BaseCommand):
    help = "Load demo content if the site is empty and make sure the demo editor exists."

    def handle(self, *args, **options):
        if not Article.objects.exists():
            self.stdout.write("Loading demo content (first run only)...")
            call_command("seed_demo")
        self._ensure_demo_editor()

    def _ensure_demo_editor(self) -> None:
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": DEMO_EMAIL}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = True
        user.save()
        editors = Group.objects.filter(name="Editor").first()
        if editors:
            user.groups.add(editors)
        else:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        password = DEMO_PASSWORD if created else "(unchanged since it was created)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor: username {DEMO_USERNAME!r}, password {password!r} "
                "— log in at http://127.0.0.1:8000/admin/"
            )
        )
