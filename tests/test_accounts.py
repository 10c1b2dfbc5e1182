import re
from io import BytesIO
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.roles import author_for, role_assign
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-pass-phrase-42"
LOGIN_URL = reverse("account_login")
SIGNUP_URL = reverse("account_signup")
RESET_URL = reverse("account_reset_password")
PROFILE_URL = reverse("accounts:profile")


def signup_data(**overrides):
    data = {
        "email": "new.reader@example.com",
        "username": "newreader",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def is_logged_in(client):
    return "_auth_user_id" in client.session


# Sign-up ---------------------------------------------------------------------------------


def test_signup_creates_a_logged_in_reader_and_returns_to_next(client):
    response = client.post(f"{SIGNUP_URL}?next=/some/article/", signup_data(next="/some/article/"))
    assert response.status_code == 302
    assert response["Location"] == "/some/article/"
    user = User.objects.get(username="newreader")
    assert user.email == "new.reader@example.com"
    assert not user.is_staff
    assert not user.groups.exists()
    assert is_logged_in(client)


def test_signup_sends_a_confirmation_email(client, mailoutbox):
    client.post(SIGNUP_URL, signup_data())
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.reader@example.com"]


def test_signup_with_an_email_already_taken_in_other_case_is_refused(client):
    UserFactory(username="first", email="taken@example.com")
    response = client.post(SIGNUP_URL, signup_data(email="TAKEN@Example.com"))
    assert response.status_code == 200
    assert field_errors(response, "email")
    assert b'id="id_email_error"' in response.content
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_signup_with_a_taken_username_in_other_case_is_refused(client):
    UserFactory(username="samename")
    response = client.post(SIGNUP_URL, signup_data(username="SameName"))
    assert field_errors(response, "username")
    assert not User.objects.filter(email="new.reader@example.com").exists()


@pytest.mark.parametrize("weak", ["password", "12345678901", "short1", "newreader1"])
def test_signup_with_a_weak_password_shows_the_error_next_to_the_field(client, weak):
    response = client.post(SIGNUP_URL, signup_data(password1=weak, password2=weak))
    assert response.status_code == 200
    assert field_errors(response, "password1")
    assert b'id="id_password1_error"' in response.content
    assert b'aria-invalid="true"' in response.content
    assert not User.objects.filter(username="newreader").exists()


def test_signup_with_mismatched_passwords_is_refused(client):
    response = client.post(SIGNUP_URL, signup_data(password2="something-else-entirely"))
    assert response.status_code == 200
    assert not User.objects.filter(username="newreader").exists()


def test_signup_with_the_honeypot_filled_creates_no_account(client):
    response = client.post(SIGNUP_URL, signup_data(website="http://spam.example/"))
    # Bots are told it worked so they learn nothing.
    assert response.status_code == 302
    assert not User.objects.filter(username="newreader").exists()
    assert not is_logged_in(client)


def test_signup_page_has_labels_for_every_visible_field_and_hides_the_honeypot(client):
    html = client.get(SIGNUP_URL).content.decode()
    for name in ("email", "username", "password1", "password2"):
        assert f'<label for="id_{name}">' in html
    assert 'class="account-form__trap" aria-hidden="true"' in html
    assert 'name="website"' in html


def test_signups_from_one_address_are_throttled(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/h/ip"}
    for n in range(3):
        response = client.post(
            SIGNUP_URL, signup_data(email=f"bulk{n}@example.com", username=f"bulk{n}")
        )
        assert response.status_code == 302
        client.post(reverse("account_logout"))
    response = client.post(SIGNUP_URL, signup_data(email="bulk9@example.com", username="bulk9"))
    assert response.status_code == 429
    assert b"too often" in response.content
    assert not User.objects.filter(username="bulk9").exists()


def test_signup_can_be_closed_by_setting(client, settings):
    settings.ACCOUNT_SIGNUP_OPEN = False
    response = client.post(SIGNUP_URL, signup_data())
    assert not User.objects.filter(username="newreader").exists()
    assert response.status_code == 200


# Log-in and log-out ------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["reader", "reader@example.com", "READER@example.com"])
def test_login_works_with_username_or_email(client, login):
    UserFactory(username="reader", email="reader@example.com")
    response = client.post(LOGIN_URL, {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_login_with_a_wrong_password_says_so_and_stays_logged_out(client):
    UserFactory(username="reader")
    response = client.post(LOGIN_URL, {"login": "reader", "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b'class="form-errors" role="alert"' in response.content
    assert not is_logged_in(client)


def test_login_returns_to_a_local_next(client):
    UserFactory(username="reader")
    response = client.post(
        LOGIN_URL, {"login": "reader", "password": PASSWORD, "next": "/2026/01/02/a-story/"}
    )
    assert response["Location"] == "/2026/01/02/a-story/"


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example",
        "//evil.example/path",
        "http:evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_ignores_an_off_site_next(client, evil):
    UserFactory(username="reader")
    response = client.post(LOGIN_URL, {"login": "reader", "password": PASSWORD, "next": evil})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example"])
def test_signup_ignores_an_off_site_next(client, evil):
    response = client.post(SIGNUP_URL, signup_data(next=evil))
    assert response["Location"] == "/"


def test_login_page_does_not_echo_an_off_site_next_into_links_unsafely(client):
    html = client.get(LOGIN_URL, {"next": '"><script>x</script>'}).content.decode()
    assert "<script>x</script>" not in html


def test_failed_logins_for_one_account_are_throttled_with_a_clear_message(client):
    UserFactory(username="target")
    # From 20 addresses: one address alone is stopped by its own limit (10) first.
    for n in range(20):
        client.post(LOGIN_URL, {"login": "target", "password": "guess"}, REMOTE_ADDR=f"10.0.0.{n}")
    # Even the right password is refused while the account is throttled.
    response = client.post(LOGIN_URL, {"login": "target", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in str(response.context["form"].non_field_errors())
    assert not is_logged_in(client)


def test_failed_logins_from_one_address_are_throttled(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    UserFactory(username="victim")
    for n in range(3):
        client.post(LOGIN_URL, {"login": f"someone{n}", "password": "guess"})
    response = client.post(LOGIN_URL, {"login": "victim", "password": PASSWORD})
    assert "Too many failed login attempts" in str(response.context["form"].non_field_errors())
    assert not is_logged_in(client)


def test_logout_by_get_does_not_log_out(client):
    client.force_login(UserFactory())
    response = client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert is_logged_in(client)


def test_logout_by_post_logs_out_and_returns_to_next(client):
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"), {"next": "/some/article/"})
    assert response["Location"] == "/some/article/"
    assert not is_logged_in(client)


def test_logout_ignores_an_off_site_next(client):
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"), {"next": "https://evil.example/"})
    assert response["Location"] == "/"


# Header ------------------------------------------------------------------------------------


def test_header_offers_log_in_with_next_to_anonymous_readers(client):
    html = client.get(reverse("frontpage:home")).content.decode()
    assert f'href="{LOGIN_URL}?next=/"' in html
    assert f'href="{SIGNUP_URL}?next=/"' in html


def test_header_log_in_link_comes_back_to_the_page_with_its_query(client):
    html = client.get(reverse("search:search"), {"q": "tram & bus"}).content.decode()
    assert f'href="{LOGIN_URL}?next=/search/%3Fq%3Dtram%2B%2526%2Bbus"' in html


def test_each_page_s_header_comes_back_to_that_page(client):
    """The anonymous links are a kept piece per address: one page's never shows on another."""
    for _round in range(2):
        home = client.get(reverse("frontpage:home")).content.decode()
        search = client.get(reverse("search:search"), {"q": "tram"}).content.decode()
        assert f'href="{LOGIN_URL}?next=/"' in home and "next=/search/" not in home
        assert f'href="{SIGNUP_URL}?next=/search/%3Fq%3Dtram"' in search
        assert 'next=/"' not in search


def test_header_shows_the_users_name_profile_link_and_a_logout_form(client):
    client.force_login(UserFactory(display_name="Ada L."))
    html = client.get(reverse("frontpage:home")).content.decode()
    assert "Ada L." in html
    assert f'href="{PROFILE_URL}"' in html
    assert f'method="post" action="{reverse("account_logout")}"' in html


def test_header_log_in_link_on_the_login_page_keeps_the_original_next(client):
    html = client.get(LOGIN_URL, {"next": "/story/"}).content.decode()
    assert f'href="{LOGIN_URL}?next=/story/"' in html
    assert "next=/accounts/" not in html


# Password change and reset ---------------------------------------------------------------


def test_password_change_needs_the_old_password(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("account_change_password")
    response = client.post(
        url, {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert field_errors(response, "oldpassword")
    response = client.post(
        url, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def request_reset_link(client, mailoutbox, email, **extra):
    client.post(RESET_URL, {"email": email, **extra})
    assert len(mailoutbox) == 1
    return re.search(r"https?://\S+/password/reset/key/\S+", mailoutbox[0].body).group(0)


def test_password_reset_by_email_sets_a_new_password(client, mailoutbox):
    user = UserFactory(email="forgetful@example.com")
    link = request_reset_link(client, mailoutbox, "Forgetful@example.com")
    response = client.get(link)
    assert response.status_code == 302  # the key moves into the session, out of the URL
    form_url = response["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_rejects_a_weak_new_password(client, mailoutbox):
    UserFactory(email="forgetful@example.com")
    link = request_reset_link(client, mailoutbox, "forgetful@example.com")
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert field_errors(response, "password1")


def test_a_used_reset_link_does_not_work_again(client, mailoutbox):
    UserFactory(email="forgetful@example.com")
    link = request_reset_link(client, mailoutbox, "forgetful@example.com")
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["token_fail"]


def test_an_expired_reset_link_does_not_work(client, mailoutbox, monkeypatch):
    UserFactory(email="forgetful@example.com")
    link = request_reset_link(client, mailoutbox, "forgetful@example.com")
    later = timezone.now().replace(tzinfo=None) + timezone.timedelta(days=4)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["token_fail"]


def test_password_reset_for_an_unknown_email_does_not_reveal_it(client, mailoutbox):
    response = client.post(RESET_URL, {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_password_reset_carries_next_to_the_login_page(client, mailoutbox):
    UserFactory(username="forgetful", email="forgetful@example.com")
    link = request_reset_link(
        client, mailoutbox, "forgetful@example.com", next="/2026/01/02/a-story/"
    )
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert unquote(response["Location"]) == f"{LOGIN_URL}?next=/2026/01/02/a-story/"


def test_password_reset_drops_an_off_site_next(client, mailoutbox):
    UserFactory(email="forgetful@example.com")
    link = request_reset_link(
        client, mailoutbox, "forgetful@example.com", next="https://evil.example/"
    )
    assert "evil.example" not in link


# Email confirmation -----------------------------------------------------------------------


def test_opening_the_confirmation_link_does_not_confirm_until_the_button_is_pressed(
    client, mailoutbox
):
    client.post(SIGNUP_URL, signup_data())
    link = re.search(r"https?://\S+/confirm-email/\S+", mailoutbox[0].body).group(0)
    address = EmailAddress.objects.get(email="new.reader@example.com")
    response = client.get(link)
    assert response.status_code == 200
    address.refresh_from_db()
    assert not address.verified
    client.post(link)
    address.refresh_from_db()
    assert address.verified


# Profile ---------------------------------------------------------------------------------


def image_upload(fmt="PNG", size=(300, 200), name="me.png", color=(200, 30, 30)):
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_profile_page_requires_log_in(client):
    response = client.get(PROFILE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=")


def test_profile_updates_display_name(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PROFILE_URL, {"display_name": "  Ada   Lovelace "})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Ada Lovelace"
    assert user.public_name == "Ada Lovelace"


def test_profile_avatar_is_re_encoded_as_a_small_square(client, media):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PROFILE_URL, {"display_name": "", "avatar": image_upload()})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar.name.endswith(".webp")
    with Image.open(user.avatar.path) as stored:
        assert stored.size == (256, 256)
        assert "exif" not in stored.info


def test_replacing_the_avatar_deletes_the_old_file(
    client, media, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    client.post(PROFILE_URL, {"display_name": "", "avatar": image_upload()})
    user.refresh_from_db()
    old_path = user.avatar.path
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE_URL, {"display_name": "", "avatar": image_upload(color=(0, 0, 0))})
    user.refresh_from_db()
    assert user.avatar.path != old_path
    assert not (media / old_path).exists()


def test_profile_avatar_can_be_removed(client, media):
    user = UserFactory()
    client.force_login(user)
    client.post(PROFILE_URL, {"display_name": "", "avatar": image_upload()})
    client.post(PROFILE_URL, {"display_name": "", "avatar-clear": "on"})
    user.refresh_from_db()
    assert not user.avatar


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png"), "image"),
        (image_upload(fmt="BMP", name="me.bmp"), "JPEG, PNG, GIF or WebP"),
        (image_upload(size=(5000, 4000)), "5000×4000 pixels"),
    ],
    ids=["not-an-image", "wrong-format", "too-many-pixels"],
)
def test_profile_rejects_bad_avatars_with_an_error_next_to_the_field(
    client, media, upload, message
):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PROFILE_URL, {"display_name": "Ada", "avatar": upload})
    assert response.status_code == 200
    errors = " ".join(field_errors(response, "avatar"))
    assert message in errors
    assert b'id="id_avatar_error"' in response.content
    user.refresh_from_db()
    assert not user.avatar
    assert user.display_name == ""


def test_profile_rejects_an_avatar_over_the_size_limit(client, media, settings):
    settings.AVATAR_MAX_BYTES = 1000
    client.force_login(UserFactory())
    response = client.post(PROFILE_URL, {"avatar": image_upload(fmt="BMP", size=(100, 100))})
    assert "the largest we accept is" in " ".join(field_errors(response, "avatar"))


def test_a_rejected_profile_form_does_not_change_the_header_name(client):
    client.force_login(UserFactory(username="plainname"))
    response = client.post(PROFILE_URL, {"display_name": "x" * 200})
    assert response.status_code == 200
    assert field_errors(response, "display_name")
    assert 'class="account-links__user"' in response.content.decode()
    assert ">plainname</a>" in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"],
)
def test_account_pages_use_the_site_layout(client, url_name):
    html = client.get(reverse(url_name)).content.decode()
    assert 'class="site-header"' in html
    assert "css/accounts.css" in html
    assert "<h1>" in html


@pytest.mark.parametrize(
    "url_name", ["account_change_password", "account_email", "accounts:profile"]
)
def test_account_management_pages_show_the_account_menu(client, url_name):
    client.force_login(UserFactory())
    html = client.get(reverse(url_name)).content.decode()
    assert 'class="account-nav"' in html
    assert 'aria-current="page"' in html


def test_account_emails_name_our_site_not_the_sites_framework_placeholder(
    client, mailoutbox, settings
):
    settings.SITE_NAME = "The Daily Test"
    UserFactory(email="forgetful@example.com")
    client.post(RESET_URL, {"email": "forgetful@example.com"})
    body = mailoutbox[0].body
    assert "The Daily Test" in body
    assert "example.com!" not in body


def test_with_mandatory_verification_signup_waits_for_the_emailed_link(
    client, settings, mailoutbox
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post(SIGNUP_URL, signup_data())
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    link = re.search(r"https?://\S+/confirm-email/\S+", mailoutbox[0].body).group(0)
    client.post(link)
    assert EmailAddress.objects.get(email="new.reader@example.com").verified
    response = client.post(LOGIN_URL, {"login": "newreader", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_with_mandatory_verification_a_taken_email_is_not_revealed_but_its_owner_is_told(
    client, settings, mailoutbox
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    UserFactory(username="owner", email="taken@example.com")
    response = client.post(SIGNUP_URL, signup_data(email="Taken@example.com"))
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert mailoutbox[0].to == ["taken@example.com"]


@pytest.mark.parametrize("url", [LOGIN_URL, SIGNUP_URL, PROFILE_URL])
def test_account_pages_stay_within_a_query_budget(client, url, django_assert_max_num_queries):
    if url == PROFILE_URL:
        client.force_login(UserFactory())
    # The profile's 9th: the newsletter panel's subscription of the reader.
    with django_assert_max_num_queries(9 if url == PROFILE_URL else 8):
        assert client.get(url).status_code == 200


def test_profile_of_an_author_links_to_their_byline(client):
    user = UserFactory(first_name="Bea", last_name="Byline")
    role_assign(user=user, role="author")
    client.force_login(user)
    html = client.get(PROFILE_URL).content.decode()
    profile = author_for(user)
    assert profile.get_absolute_url() in html
    assert reverse("admin:accounts_author_change", args=[profile.pk]) in html


def test_behind_a_trusted_proxy_failed_logins_are_counted_per_reader_address(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    UserFactory(username="victim")
    for n in range(3):
        client.post(
            LOGIN_URL,
            {"login": f"someone{n}", "password": "guess"},
            headers={"x-forwarded-for": "203.0.113.7"},
        )
    response = client.post(
        LOGIN_URL,
        {"login": "victim", "password": PASSWORD},
        headers={"x-forwarded-for": "198.51.100.20"},
    )
    assert response.status_code == 302
    assert is_logged_in(client)


def test_logging_in_and_out_says_so_in_our_words(client):
    UserFactory(username="reader", display_name="Rea Der")
    response = client.post(LOGIN_URL, {"login": "reader", "password": PASSWORD}, follow=True)
    assert "Welcome, Rea Der. You are logged in." in response.content.decode()
    response = client.post(reverse("account_logout"), follow=True)
    assert "You are logged out." in response.content.decode()
