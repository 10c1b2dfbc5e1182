import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from newsletter.models import Subscriber
from newsletter.sending import digests_send
from tests.factories import ArticleFactory, CategoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_subscribes_from_the_footer_confirms_and_unsubscribes(
    live_server, page, screenshot, mailoutbox
):
    politics = CategoryFactory(name="Politics")
    CategoryFactory(name="Sport")
    ArticleFactory(category=politics, title="Council passes the budget", is_featured=True)
    ArticleFactory(category=politics, title="Mayor answers questions")
    page.goto(live_server.url + "/")

    footer = page.locator("footer .footer-signup")
    footer.get_by_label("Get our newsletter").fill("reader@example.com")
    footer.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Our newsletter")).to_be_visible()
    expect(page.get_by_label("Your e-mail address")).to_have_value("reader@example.com")
    page.get_by_label("Weekly").check()
    page.get_by_label("Politics").check()
    screenshot("newsletter-subscribe-desktop")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    (message,) = mailoutbox
    link = re.search(r"http://\S+/newsletter/confirm/\S+/", message.body).group(0)
    page.goto(live_server.url + "/newsletter/confirm/" + link.split("/newsletter/confirm/")[1])
    page.get_by_role("button", name="Yes, send me the newsletter").click()
    expect(page.get_by_role("heading", name="Your newsletter")).to_be_visible()
    expect(page.get_by_label("Weekly")).to_be_checked()
    expect(page.get_by_label("Politics")).to_be_checked()
    screenshot("newsletter-preferences-desktop")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED

    digests_send(frequencies=["weekly"], now=timezone.now())
    digest = mailoutbox[-1]
    # A mail's inline styles, shown outside the site (and its CSP), as a mail program would.
    mail_view = page.context.new_page()
    mail_view.set_content(digest.alternatives[0][0])
    expect(mail_view.get_by_text("Council passes the budget")).to_be_visible()
    screenshot("newsletter-digest-email", target=mail_view)
    mail_view.close()

    unsubscribe = digest.extra_headers["List-Unsubscribe"].strip("<>")
    page.goto(live_server.url + unsubscribe.removeprefix(settings.SITE_URL))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def signed_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_a_reader_turns_on_reply_mails_and_the_newsletter_from_the_profile(
    live_server, page, screenshot, mailoutbox
):
    CategoryFactory(name="Politics")
    user = UserFactory(email="member@example.com")
    signed_in(page, live_server, user)
    page.goto(live_server.url + reverse("accounts:profile"))
    page.get_by_label("E-mail me when someone replies to my comments").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    panel = page.locator("#newsletter")
    panel.get_by_label("Weekly").check()
    panel.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_text("We have sent you an e-mail")).to_be_visible()
    screenshot("newsletter-profile-panel-desktop")
    user.refresh_from_db()
    assert user.notify_replies is True
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert mailoutbox[-1].to == ["member@example.com"]


def test_an_editor_previews_the_digest(live_server, page, screenshot):
    ArticleFactory(title="Council passes the budget", is_featured=True)
    signed_in(page, live_server, UserFactory(is_staff=True, is_superuser=True))
    page.goto(live_server.url + reverse("admin:newsletter_subscriber_changelist"))
    expect(page.get_by_role("button", name="Send me a test")).to_be_visible()
    screenshot("newsletter-admin-subscribers")
    page.goto(live_server.url + reverse("admin:newsletter_preview"))
    expect(page.get_by_text("Council passes the budget")).to_be_visible()
