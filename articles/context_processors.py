"""What every page's header and footer show: the site name, today's date, the sections."""

from django.conf import settings
from django.utils import timezone

from articles.models import Category


def site(request):
    sections = Category.objects.nav()
    menu_paths = {"/", *(section.url for section in sections)}
    return {
        "site_name": settings.SITE_NAME,
        "today": timezone.localdate(),
        "nav_sections": sections,
        # The menu item this page is (marked aria-current), for the menu's cached piece.
        "nav_current": request.path if request.path in menu_paths else "",
    }
