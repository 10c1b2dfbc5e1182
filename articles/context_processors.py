"""What every page's header and footer show: the site name, today's date, the sections."""

from django.conf import settings
from django.utils import timezone

from articles.models import Category


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "today": timezone.localdate(),
        "nav_sections": Category.objects.nav(),
        # How long `{% cache %}` keeps a rendered piece (its key changes with its content).
        "fragment_seconds": settings.FRAGMENT_CACHE_SECONDS,
    }
