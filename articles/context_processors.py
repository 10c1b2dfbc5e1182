"""What every page's header and footer show: the site name, today's date, the sections."""

from django.conf import settings
from django.utils import timezone

from articles.models import Category


def site(request):
    sections = Category.objects.directory()
    menu = [section for section in sections if section.show_in_nav]
    menu_paths = {"/", *(section.url for section in menu)}
    return {
        "site_name": settings.SITE_NAME,
        "today": timezone.localdate(),
        # Every section, for the footer's list; the menu's are those shown in it.
        "site_sections": sections,
        "nav_sections": menu,
        # The menu item this page is (marked aria-current), for the menu's cached piece.
        "nav_current": request.path if request.path in menu_paths else "",
    }
