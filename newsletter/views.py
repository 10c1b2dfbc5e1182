"""The newsletter's pages: subscribe, confirm, preferences and unsubscribe by signed link,
the one-click unsubscribe (RFC 8058) and the bounce hook."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.ratelimit import hit, ratelimit, ratelimited_response
from core.responses import action_refused, login_required_or_401, service_refused
from newsletter.forms import HONEYPOT, PreferencesForm, SubscribeForm
from newsletter.models import Subscriber
from newsletter.services import (
    NewsletterError,
    normalise_email,
    subscriber_bounce,
    subscriber_for_link,
    subscription_cancel,
    subscription_confirm,
    subscription_request,
    subscription_update,
)
from newsletter.tokens import manage_token


def _address_key(email: str):
    # Keyed hash: the limiter's cache never holds the address itself.
    digest = salted_hmac("newsletter.address", normalise_email(email)).hexdigest()[:32]
    return lambda request: f"addr{digest}"


def _address_over_limit(request: HttpRequest, email: str) -> tuple[bool, int]:
    """At most a few confirmation mails per address an hour, whoever asks for them."""
    limit, period = settings.NEWSLETTER_ADDRESS_LIMIT
    return hit(
        request, scope="newsletter-address", limit=limit, period=period, key=_address_key(email)
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="newsletter", limit=10, period=3600, key="ip")
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            if not form.is_bot:
                data = form.cleaned_data
                over, retry_after = _address_over_limit(request, data["email"])
                if over:
                    return ratelimited_response(request, retry_after)
                subscription_request(
                    email=data["email"],
                    frequency=data["frequency"],
                    sections=data["sections"],
                    user=request.user if request.user.is_authenticated else None,
                )
            # The same answer for a new, a waiting and a confirmed address (and for bots).
            return redirect("newsletter:check-inbox")
        status = 400
    else:
        form = SubscribeForm(initial={"email": request.GET.get("email", "")[:254]})
        status = 200
    return render(
        request, "newsletter/subscribe.html", {"form": form, "honeypot": HONEYPOT}, status=status
    )


def check_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/check_inbox.html")


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that follow links must not confirm for anyone.
    if request.method == "POST":
        try:
            subscriber = subscription_confirm(token=token)
        except NewsletterError as error:
            return service_refused(request, error)
        messages.success(request, _("You are subscribed. Here you can change what you get."))
        return redirect("newsletter:preferences", manage_token(subscriber))
    return render(request, "newsletter/confirm.html", {"token": token})


def _linked(request: HttpRequest, token: str) -> Subscriber:
    try:
        return subscriber_for_link(token)
    except NewsletterError:
        raise Http404(_("This link is not valid.")) from None


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _linked(request, token)
    form = PreferencesForm(request.POST or None, instance=subscriber)
    if request.method == "POST" and form.is_valid():
        subscription_update(
            subscriber=subscriber,
            frequency=form.cleaned_data["frequency"],
            sections=form.cleaned_data["sections"],
        )
        messages.success(request, _("Your newsletter choices are saved."))
        return redirect("newsletter:preferences", token)
    return render(
        request,
        "newsletter/preferences.html",
        {"form": form, "subscriber": subscriber, "token": token},
        status=400 if form.errors else 200,
    )


@csrf_exempt  # RFC 8058: mail programs POST with no cookie or token; the signed URL is the key.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _linked(request, token)
    if request.method == "POST":
        subscription_cancel(subscriber=subscriber)
        return render(request, "newsletter/unsubscribed.html", {"token": token})
    # A GET (a person, or a link checker) never unsubscribes; it shows the button.
    return render(
        request, "newsletter/unsubscribe.html", {"subscriber": subscriber, "token": token}
    )


def _secret_matches(request: HttpRequest) -> bool:
    secret = settings.NEWSLETTER_BOUNCE_SECRET
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt  # Called by the mail service, authenticated by the shared secret.
@require_POST
def bounce(request: HttpRequest) -> HttpResponse:
    if not settings.NEWSLETTER_BOUNCE_SECRET:
        raise Http404("No bounce hook configured.")
    if not _secret_matches(request):
        return JsonResponse({"error": "bad secret"}, status=403)
    try:
        payload = json.loads(request.body or b"{}")
        emails = payload.get("emails") or [payload["email"]]
        if not isinstance(emails, list) or not all(
            isinstance(e, str) and 0 < len(e) <= 254 for e in emails
        ):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse({"error": 'send {"email": "..."} or {"emails": [...]}'}, status=400)
    marked = [email for email in emails[:1000] if subscriber_bounce(email=email)]
    return JsonResponse({"bounced": len(marked)})


def _profile_url() -> str:
    return reverse("accounts:profile") + "#newsletter"


@require_POST
@login_required_or_401(_profile_url)
def profile(request: HttpRequest) -> HttpResponse:
    """The panel on the reader's profile: subscribe, change or unsubscribe their address."""
    subscriber = Subscriber.objects.filter(email=normalise_email(request.user.email)).first()
    if request.POST.get("action") == "unsubscribe" and subscriber is not None:
        subscription_cancel(subscriber=subscriber)
        messages.success(request, _("You will not get the newsletter any more."))
        return redirect(_profile_url())
    receiving = subscriber is not None and subscriber.status == Subscriber.Status.CONFIRMED
    form = PreferencesForm(request.POST, instance=subscriber if receiving else None)
    if not form.is_valid() or not request.user.email:
        return action_refused(
            request, _("Choose how often you want the newsletter."), back_url=_profile_url()
        )
    choices = {
        "frequency": form.cleaned_data["frequency"],
        "sections": form.cleaned_data["sections"],
    }
    if receiving:
        subscription_update(subscriber=subscriber, **choices)
        messages.success(request, _("Your newsletter choices are saved."))
    else:
        subscription_request(email=request.user.email, user=request.user, **choices)
        messages.success(
            request, _("We have sent you an e-mail: follow its link to start the newsletter.")
        )
    return redirect(_profile_url())
