from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import ROLES, author_for, role_assign


class Command(BaseCommand):
    help = "Make a user a reader, an author (with a byline profile) or an editor."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Username or email address of the user.")
        parser.add_argument("role", choices=ROLES)

    def handle(self, *args, username, role, **options):
        User = get_user_model()
        user = (
            User.objects.filter(username=username).first()
            or User.objects.filter(email__iexact=username).first()
        )
        if user is None:
            raise CommandError(f"No user with username or email “{username}”.")
        role_assign(user=user, role=role)
        message = f"{user.username} is now {'an' if role in ('author', 'editor') else 'a'} {role}."
        profile = author_for(user)
        if role == "author" and profile is not None:
            message += f" Byline: {profile.name} ({profile.slug})."
        self.stdout.write(self.style.SUCCESS(message))
