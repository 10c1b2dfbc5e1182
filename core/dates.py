"""Days on the site's calendar (settings.TIME_ZONE), whatever zone a request activated."""

from datetime import date, datetime, time

from django.utils import timezone


def site_today(now: datetime | None = None) -> date:
    """The site's calendar day at `now` (default: this moment)."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone, like published_at__date."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def start_of_today(now: datetime | None = None) -> datetime:
    """Midnight at the start of the site's today."""
    return start_of_day(site_today(now))
