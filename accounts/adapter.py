import logging
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse

from core.ratelimit import cache_answers

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials) -> None:
        """Count the attempt against "login_failed" (the site's log-in and the admin's)."""
        if not cache_answers():
            # allauth's limiter cannot take its lock without the cache and would refuse every
            # log-in for the whole outage; like every other limit, it is off instead.
            logger.warning("Log-in throttling is off: the cache does not answer")
            return
        super().pre_authenticate(request, **credentials)

    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_SIGNUP_OPEN

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Emails greet with our name, not the Sites framework's placeholder "example.com".
        site = SimpleNamespace(
            name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_URL
        )
        super().send_mail(template_prefix, email, {**context, "current_site": site})

    def get_reset_password_from_key_url(self, key: str) -> str:
        """Carry `next` through the reset email: new password, then log in, then back."""
        url = super().get_reset_password_from_key_url(key)
        request = self.request
        next_url = request.POST.get(REDIRECT_FIELD_NAME) if request is not None else None
        if next_url and self.is_safe_url(next_url):
            login_url = f"{reverse('account_login')}?{REDIRECT_FIELD_NAME}={quote(next_url)}"
            url = f"{url}?{REDIRECT_FIELD_NAME}={quote(login_url)}"
        return url
