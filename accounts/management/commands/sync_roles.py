from django.core.management.base import BaseCommand

from accounts.roles import sync_roles


class Command(BaseCommand):
    help = "Create the Author and Editor groups and give them their permissions (idempotent)."

    def handle(self, *args, **options):
        sync_roles()
        self.stdout.write(self.style.SUCCESS("Roles are up to date."))
