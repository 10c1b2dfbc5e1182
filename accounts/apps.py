from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from accounts.roles import sync_roles_after_migrate

        # Permissions of apps migrated after our data migration (or recreated after a test
        # flush) reach the role groups here; Django's own post_migrate creates them first.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
