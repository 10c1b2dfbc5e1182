"""The newsroom's admin site (`admin.site`, through NewsroomAdminConfig): its log-in is
throttled like the site's own, and its actions refuse a selection that names no row.

Imported by django.contrib.admin once every app is loaded, so models may be imported here.
"""

from functools import wraps

from allauth.account.adapter import get_adapter
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.utils.translation import gettext as _

from core.responses import action_refused

THROTTLED = "too_many_login_attempts"


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's log-in, counted by allauth's "login_failed" limiter like the site's own:
    the same numbers (ACCOUNT_RATE_LIMITS) and the same counters, so switching between the
    two log-in pages gains an attacker nothing."""

    throttled = False

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                # Counts the attempt per address, then per account; checks the password only
                # when neither is over its limit, and takes the count back on success.
                self.user_cache = get_adapter(self.request).authenticate(
                    self.request, username=username, password=password
                )
            except ValidationError as error:
                self.throttled = error.code == THROTTLED
                raise
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class NewsroomAdminSite(admin.AdminSite):
    login_form = ThrottledAdminLoginForm

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin):
            # Inside the staff check: strangers are still sent to log in first.
            view = _checked_selection(view, model_admin)
        return super().admin_view(view, cacheable)


def _checked_selection(view, model_admin: admin.ModelAdmin):
    """Refuse an action on values that are no primary key of the model: Django hands them
    to the database unchecked, and "abc" or a NUL character is a 500 there."""
    pk = model_admin.model._meta.pk

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST":
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            if not all(_is_a_key(pk, value) for value in selected):
                opts = model_admin.model._meta
                message = _("The selection does not name any %(things)s; nothing was done.")
                return action_refused(
                    request,
                    message % {"things": opts.verbose_name_plural},
                    status=400,
                    back_url=request.get_full_path(),
                    template="admin/action_refused.html",
                    context=model_admin.admin_site.each_context(request),
                )
        return view(request, *args, **kwargs)

    return checked


def _is_a_key(pk: Field, value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        pk.get_prep_value(pk.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    return True
