from urllib.parse import urlsplit

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class NewsportalConfig(AppConfig):
    name = "newsportal"

    def ready(self):
        # Runs right after django.contrib.sites' own post_migrate handler, which creates
        # example.com whenever the table is empty (a fresh database, a test flush).
        post_migrate.connect(site_from_settings, sender=apps.get_app_config("sites"))


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with every `admin.site` being our NewsroomAdminSite."""

    default = False  # NewsportalConfig stays this package's own config
    default_site = "newsportal.admin_site.NewsroomAdminSite"


def site_from_settings(using="default", **kwargs) -> None:
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME[:50]}
    )
    Site.objects.clear_cache()
