import json
import re
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from newsletter import tokens
from newsletter.digest import digest_build
from newsletter.models import Send, Subscriber
from newsletter.sending import digests_send
from newsletter.services import subscriber_bounce, subscription_confirm, subscription_request
from readership.models import ArticleViewDay
from tests.factories import ArticleFactory, CategoryFactory
from tests.mail_backends import CountingBackend

pytestmark = pytest.mark.django_db(transaction=False)
Status = Subscriber.Status


def link_in(message, name: str) -> str:
    match = re.search(rf"https?://[^\s\"<>]+/newsletter/{name}/[^\s\"<>]+/", message.body)
    assert match, message.body
    return match.group(0).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def confirmed(email="reader@example.com", frequency="daily", sections=()):
    subscriber = Subscriber.objects.create(
        email=email, frequency=frequency, status=Status.CONFIRMED, confirmed_at=timezone.now()
    )
    subscriber.sections.set(sections)
    return subscriber


def subscribe(client, email="reader@example.com", **extra):
    data = {"email": email, "frequency": "daily", **extra}
    with_commit = client.post(reverse("newsletter:subscribe"), data)
    return with_commit


# Subscribing -------------------------------------------------------------------------------


def test_subscribing_needs_no_account_and_sends_only_a_confirmation(
    client, django_capture_on_commit_callbacks
):
    section = CategoryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, "New.Reader@Example.com", sections=[section.pk])
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check-inbox")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "new.reader@example.com"
    assert subscriber.status == Status.PENDING
    assert list(subscriber.sections.all()) == [section]
    assert len(mail.outbox) == 1
    assert "/newsletter/confirm/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_unconfirmed_addresses_never_get_a_digest(db):
    ArticleFactory()
    subscription_request(email="waiting@example.com", frequency="daily")
    mail.outbox.clear()
    report = digests_send()
    assert report.sent == 0
    assert mail.outbox == []


def test_confirming_with_the_link_starts_the_subscription(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client)
    url = link_in(mail.outbox[0], "confirm")
    page = client.get(url)
    assert page.status_code == 200
    assert Subscriber.objects.get().status == Status.PENDING  # a GET (a mail scanner) does nothing
    response = client.post(url)
    assert response.status_code == 302
    assert "/newsletter/preferences/" in response["Location"]
    assert Subscriber.objects.get().status == Status.CONFIRMED


def test_an_expired_confirmation_link_is_refused(client, settings):
    subscriber = Subscriber.objects.create(email="late@example.com")
    token = tokens.confirm_token(subscriber)
    settings.NEWSLETTER_CONFIRM_MAX_AGE = 60
    later = timezone.now().timestamp() + 61
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(reverse("newsletter:confirm", args=[token]))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert Subscriber.objects.get().status == Status.PENDING


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps([1, "late@example.com"], salt="other.salt"),
        signing.dumps([1, "someone.else@example.com"], salt=tokens.CONFIRM_SALT),
    ],
)
def test_a_tampered_confirmation_link_is_refused(client, token):
    Subscriber.objects.create(pk=1, email="late@example.com")
    response = client.post(reverse("newsletter:confirm", args=[token]))
    assert response.status_code == 400
    assert Subscriber.objects.get().status == Status.PENDING


def test_a_manage_link_does_not_confirm(client):
    subscriber = Subscriber.objects.create(email="late@example.com")
    response = client.post(reverse("newsletter:confirm", args=[tokens.manage_token(subscriber)]))
    assert response.status_code == 400


def test_the_answer_is_the_same_for_new_waiting_and_confirmed_addresses(
    client, django_capture_on_commit_callbacks
):
    confirmed("known@example.com")
    Subscriber.objects.create(email="waiting@example.com")
    answers = []
    for email in ("known@example.com", "waiting@example.com", "new@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = subscribe(client, email)
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1
    page = client.get(answers[0][1])
    assert "If that address can receive" in page.content.decode()
    # The known address is told in its own inbox, with a link to its preferences.
    known = next(m for m in mail.outbox if m.to == ["known@example.com"])
    assert "/newsletter/preferences/" in known.body
    assert Subscriber.objects.get(email="known@example.com").status == Status.CONFIRMED


def test_resubscribing_a_confirmed_address_does_not_change_its_choices(db):
    section = CategoryFactory()
    subscriber = confirmed(sections=[section])
    subscription_request(email="READER@example.com", frequency="weekly", sections=[])
    subscriber.refresh_from_db()
    assert subscriber.frequency == "daily"
    assert list(subscriber.sections.all()) == [section]
    assert Subscriber.objects.count() == 1


def test_the_honeypot_gets_the_same_answer_and_no_mail(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, website="http://spam.example")
    assert response.status_code == 302
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email", ["not-an-address", "", "a@b", "x" * 250 + "@example.com", "a\x00@example.com"]
)
def test_bad_addresses_get_the_form_back_with_400(client, email):
    response = subscribe(client, email)
    assert response.status_code == 400
    assert Subscriber.objects.count() == 0


def test_an_unknown_section_or_frequency_is_400(client):
    assert subscribe(client, sections=["99999"]).status_code == 400
    assert subscribe(client, frequency="hourly").status_code == 400


def test_subscribing_without_the_csrf_token_is_a_friendly_403(db):
    response = Client(enforce_csrf_checks=True).post(
        reverse("newsletter:subscribe"), {"email": "reader@example.com", "frequency": "daily"}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_requests_for_one_address_are_rate_limited(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [subscribe(client, "victim@example.com").status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    # Another address from the same reader is still fine.
    assert subscribe(client, "other@example.com").status_code == 302


def test_the_footer_form_leads_to_the_page_with_the_address_filled_in(client):
    ArticleFactory()
    home = client.get(reverse("frontpage:home")).content.decode()
    assert 'class="footer-signup" method="get"' in home
    page = client.get(reverse("newsletter:subscribe"), {"email": "me@example.com"})
    assert page.status_code == 200
    assert 'value="me@example.com"' in page.content.decode()


# The digest --------------------------------------------------------------------------------


def test_the_digest_holds_the_chosen_sections_published_stories_only(db):
    politics, sport = CategoryFactory(name="Politics"), CategoryFactory(name="Sport")
    shown = ArticleFactory(category=politics, title="Council passes the budget")
    featured = ArticleFactory(category=politics, title="The desk's pick", is_featured=True)
    ArticleFactory(category=sport, title="Cup final tonight")
    ArticleFactory(category=politics, title="Draft story", status=Article.Status.DRAFT)
    ArticleFactory(
        category=politics,
        title="Embargoed story",
        published_at=timezone.now() + timezone.timedelta(hours=2),
    )
    ArticleFactory(
        category=politics,
        title="Old story",
        published_at=timezone.now() - timezone.timedelta(days=3),
    )
    digest = digest_build(frequency="daily", section_ids=[politics.pk])
    assert digest.top == [featured, shown]
    confirmed(sections=[politics])
    digests_send()
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Council passes the budget" in text
        assert "The desk&#x27;s pick" in text or "The desk's pick" in text
        for absent in ("Cup final", "Draft story", "Embargoed", "Old story"):
            assert absent not in text
    assert "http://testserver" not in html
    assert shown.get_absolute_url() in html


def test_the_weekly_digest_reaches_back_a_week_and_adds_the_most_read(db):
    section = CategoryFactory()
    old = ArticleFactory(
        category=section, published_at=timezone.now() - timezone.timedelta(days=5)
    )
    read = ArticleFactory(category=section, title="Everyone read this")
    ArticleViewDay.objects.create(article=read, day=timezone.localdate(), views=50)
    settings_top = digest_build(frequency="weekly", section_ids=[section.pk])
    assert old in settings_top.top
    assert digest_build(frequency="daily", section_ids=[section.pk]).top == [read]


def test_the_most_read_are_not_repeated_from_the_top_stories(db, settings):
    settings.NEWSLETTER_TOP_STORIES = 1
    section = CategoryFactory()
    newest = ArticleFactory(category=section)
    read = ArticleFactory(
        category=section, published_at=timezone.now() - timezone.timedelta(hours=3)
    )
    for article, views in ((newest, 10), (read, 40)):
        ArticleViewDay.objects.create(article=article, day=timezone.localdate(), views=views)
    digest = digest_build(frequency="daily", section_ids=[section.pk])
    assert digest.top == [newest]
    assert digest.most_read == [read]


def test_no_stories_no_mail(db):
    confirmed()
    report = digests_send()
    assert report.empty == 1
    assert mail.outbox == []


# Sending -----------------------------------------------------------------------------------


def test_digests_go_in_batches_one_connection_each(db, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.CountingBackend"
    settings.NEWSLETTER_BATCH_SIZE = 3
    CountingBackend.reset()
    ArticleFactory()
    for n in range(7):
        confirmed(f"reader{n}@example.com")
    report = digests_send()
    assert report.sent == 7
    assert report.batches == 3
    assert CountingBackend.opened == 3
    assert CountingBackend.per_connection == [3, 3, 1]
    assert len(mail.outbox) == 7


def test_a_second_run_sends_nothing_twice(db):
    ArticleFactory()
    confirmed("a@example.com")
    digests_send()
    confirmed("b@example.com")
    report = digests_send()
    assert report.sent == 1
    assert [m.to for m in mail.outbox] == [["a@example.com"], ["b@example.com"]]
    assert Send.objects.filter(status=Send.Status.SENT).count() == 2


def test_a_crash_after_sending_does_not_send_again_on_the_rerun(db, settings):
    ArticleFactory()
    confirmed("a@example.com")
    settings.EMAIL_BACKEND = "tests.mail_backends.CrashingBackend"
    with pytest.raises(SystemExit):
        digests_send()
    assert len(mail.outbox) == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = digests_send()
    assert report.sent == 0
    assert len(mail.outbox) == 1
    assert Send.objects.get().status == Send.Status.CLAIMED


def test_a_refused_mail_is_recorded_and_retried_next_run(db, settings):
    ArticleFactory()
    confirmed("refuse@example.com")
    confirmed("fine@example.com")
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    report = digests_send()
    assert (report.sent, report.failed) == (1, 1)
    assert Send.objects.get(subscriber__email="refuse@example.com").error.startswith("550")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = digests_send()
    assert (report.sent, report.failed) == (1, 0)
    assert Send.objects.filter(status=Send.Status.SENT).count() == 2


def test_weekly_readers_get_the_digest_on_the_weekly_day_only(db, settings):
    ArticleFactory()
    confirmed(frequency="weekly")
    monday = timezone.make_aware(timezone.datetime(2026, 11, 30, 7, 0))
    tuesday = monday + timezone.timedelta(days=1)
    ArticleFactory(published_at=monday - timezone.timedelta(hours=1))
    settings.NEWSLETTER_WEEKLY_DAY = 1
    assert digests_send(now=tuesday).sent == 0
    assert digests_send(now=monday).sent == 1
    assert digests_send(now=monday + timezone.timedelta(hours=2)).sent == 0  # same ISO week


def test_the_command_reports_what_it_did(db, capsys):
    ArticleFactory()
    confirmed()
    call_command("send_digests", "--frequency", "daily")
    assert "sent 1" in capsys.readouterr().out


# Unsubscribing, preferences, bounces -------------------------------------------------------


def sent_digest():
    ArticleFactory()
    subscriber = confirmed()
    digests_send()
    return subscriber, mail.outbox[-1]


def test_every_digest_carries_one_click_unsubscribe_headers(db, settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@example.com"
    _subscriber, message = sent_digest()
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = message.extra_headers["List-Unsubscribe"].split(", ")
    assert re.fullmatch(r"<http://127\.0\.0\.1:8000/newsletter/unsubscribe/[^>]+/>", https)
    assert mailto == "<mailto:unsubscribe@example.com?subject=unsubscribe>"


def test_one_click_post_from_the_header_unsubscribes_without_cookies_or_token(db):
    subscriber, message = sent_digest()
    url = (
        message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    )
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
    mail.outbox.clear()
    Send.objects.all().delete()
    assert digests_send().sent == 0


def test_the_unsubscribe_link_asks_first(client):
    subscriber, message = sent_digest()
    url = link_in(message, "unsubscribe")
    assert client.get(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED
    client.post(url)
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED


def test_a_forged_unsubscribe_link_is_404(client):
    subscriber = confirmed()
    forged = signing.dumps([subscriber.pk, subscriber.email], salt="wrong")
    assert client.post(reverse("newsletter:unsubscribe", args=[forged])).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED


def test_the_preferences_page_changes_sections_and_frequency(client):
    subscriber, message = sent_digest()
    section = CategoryFactory()
    url = link_in(message, "preferences")
    assert client.get(url).status_code == 200
    response = client.post(url, {"frequency": "weekly", "sections": [section.pk]})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.frequency == "weekly"
    assert list(subscriber.sections.all()) == [section]
    assert client.post(url, {"frequency": "hourly"}).status_code == 400


def test_resubscribing_after_unsubscribing_needs_a_new_confirmation(
    client, django_capture_on_commit_callbacks
):
    subscriber, _message = sent_digest()
    client.post(reverse("newsletter:unsubscribe", args=[tokens.manage_token(subscriber)]))
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client)
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
    subscription_confirm(token=tokens.confirm_token(subscriber))
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED


def test_a_bounce_stops_sending(db):
    ArticleFactory()
    confirmed("gone@example.com")
    assert subscriber_bounce(email="Gone@Example.com") is True
    assert subscriber_bounce(email="never@example.com") is False
    assert digests_send().sent == 0


def test_the_bounce_command_marks_addresses(db, capsys):
    confirmed("gone@example.com")
    call_command("newsletter_bounce", "gone@example.com", "never@example.com")
    assert Subscriber.objects.get().status == Status.BOUNCED
    assert "never@example.com: not a subscriber" in capsys.readouterr().out


def test_the_bounce_hook_needs_its_secret(client, settings):
    confirmed("gone@example.com")
    url = reverse("newsletter:bounce")
    body = json.dumps({"email": "gone@example.com"})
    settings.NEWSLETTER_BOUNCE_SECRET = ""
    assert client.post(url, body, content_type="application/json").status_code == 404
    settings.NEWSLETTER_BOUNCE_SECRET = "s3cret"
    assert client.post(url, body, content_type="application/json").status_code == 403
    wrong = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer x")
    assert wrong.status_code == 403
    assert Subscriber.objects.get().status == Status.CONFIRMED
    for garbage in ("[1]", "{", '{"emails": "gone@example.com"}', '{"email": ""}', "null"):
        bad = client.post(
            url, garbage, content_type="application/json", HTTP_AUTHORIZATION="Bearer s3cret"
        )
        assert bad.status_code == 400, garbage
    assert Subscriber.objects.get().status == Status.CONFIRMED
    ok = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer s3cret"
    )
    assert ok.json() == {"bounced": 1}
    assert Subscriber.objects.get().status == Status.BOUNCED


# The profile and the desk ------------------------------------------------------------------


def test_a_signed_in_reader_subscribes_from_the_profile(
    reader_client, user, django_capture_on_commit_callbacks
):
    profile = reader_client.get(reverse("accounts:profile")).content.decode()
    assert 'id="newsletter"' in profile
    with django_capture_on_commit_callbacks(execute=True):
        reader_client.post(reverse("newsletter:profile"), {"frequency": "weekly"})
    subscriber = Subscriber.objects.get()
    assert subscriber.email == user.email.lower()
    assert subscriber.status == Status.PENDING  # still double opt-in
    assert "/newsletter/confirm/" in mail.outbox[0].body


def test_a_signed_in_subscriber_changes_and_stops_it_from_the_profile(reader_client, user):
    subscriber = confirmed(user.email.lower())
    reader_client.post(reverse("newsletter:profile"), {"frequency": "weekly"})
    subscriber.refresh_from_db()
    assert subscriber.frequency == "weekly"
    reader_client.post(
        reverse("newsletter:profile"), {"frequency": "weekly", "action": "unsubscribe"}
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED


def test_the_profile_action_needs_a_log_in(client):
    response = client.post(reverse("newsletter:profile"), {"frequency": "daily"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_editors_see_subscribers_preview_and_send_a_test(admin_client, admin_user):
    ArticleFactory(title="Preview headline")
    confirmed()
    changelist = admin_client.get(reverse("admin:newsletter_subscriber_changelist"))
    assert "reader@example.com" in changelist.content.decode()
    preview = admin_client.get(reverse("admin:newsletter_preview"))
    assert preview.status_code == 200
    assert "Preview headline" in preview.content.decode()
    response = admin_client.post(reverse("admin:newsletter_send_test"))
    assert response.status_code == 302
    assert mail.outbox[-1].to == [admin_user.email]
    assert Send.objects.count() == 0
    sends = admin_client.get(reverse("admin:newsletter_send_changelist"))
    assert sends.status_code == 200


def test_readers_cannot_reach_the_desk_preview(reader_client):
    response = reader_client.get(reverse("admin:newsletter_preview"))
    assert response.status_code == 302


# Query budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["subscribe", "check-inbox"])
def test_the_public_pages_stay_within_their_query_budget(
    client, name, django_assert_max_num_queries
):
    CategoryFactory.create_batch(6)
    with django_assert_max_num_queries(4):
        assert client.get(reverse(f"newsletter:{name}")).status_code == 200


def test_the_preferences_page_stays_within_its_query_budget(client, django_assert_max_num_queries):
    subscriber = confirmed(sections=CategoryFactory.create_batch(6))
    url = reverse("newsletter:preferences", args=[tokens.manage_token(subscriber)])
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


def test_a_run_costs_a_few_queries_plus_four_per_reader(db, django_assert_max_num_queries):
    # Per reader: the claim (savepoint, insert, release) and marking it sent; the digest
    # itself is built once per choice of sections, not once per reader.
    ArticleFactory()
    for n in range(5):
        confirmed(f"r{n}@example.com")
    with django_assert_max_num_queries(4 + 4 * 5):
        assert digests_send().sent == 5


def test_an_edition_being_sent_cannot_be_claimed_by_a_second_run(db):
    from newsletter.sending import _claim

    subscriber = confirmed()
    assert _claim(subscriber, "daily-2026-12-02") is not None
    assert _claim(subscriber, "daily-2026-12-02") is None  # claimed, not yet sent
    Send.objects.update(status=Send.Status.SENT)
    assert _claim(subscriber, "daily-2026-12-02") is None
    Send.objects.update(status=Send.Status.FAILED)
    assert _claim(subscriber, "daily-2026-12-02") is not None  # refused last time: retried
