from urllib.parse import quote

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from core.fragments import fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def account_links(context) -> str:
    """The header's log in / sign up links, or the signed-in reader's name and log out.

    Every page shows them, so an anonymous reader's two links are written here rather
    than through a template: that was a twentieth of a rendered article page."""
    request = context["request"]
    user = context.get("user")
    next_path = return_to(request)
    if user is not None and user.is_authenticated:
        return render_to_string(
            "includes/account_links.html",
            {"user": user, "return_to": next_path, "csrf_token": context.get("csrf_token")},
        )
    query = f"?next={quote(next_path, safe='/')}" if next_path else ""
    # Kept per page address, as a piece: the two reverse() calls were most of its cost.
    return fragment("account-links", (query,), lambda: _anonymous_links(query))


def _anonymous_links(query: str) -> str:
    return format_html(
        '<div class="account-links">\n  <a href="{}{}">{}</a>\n  <a href="{}{}">{}</a>\n</div>',
        reverse("account_login"),
        query,
        gettext("Log in"),
        reverse("account_signup"),
        query,
        gettext("Sign up"),
    )


def return_to(request) -> str:
    """Where logging in or out should come back to: this page, or, on the account pages
    themselves, the page that sent the reader there."""
    match = request.resolver_match
    on_account_page = match is not None and (
        (match.url_name or "").startswith("account_") or match.app_name == "accounts"
    )
    if on_account_page:
        return request.GET.get("next", "")
    return request.get_full_path()
