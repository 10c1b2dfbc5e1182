import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import ArticleFactory, AuthorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "tulip-harbour-violin-93"
NEW_PASSWORD = "quiet-lantern-meadow-57"
PHONE = {"width": 390, "height": 844}


def header(page):
    return page.locator("header.site-header .account-links")


def log_in(page, login, password):
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    header(page).get_by_role("button", name="Log out").click()


def test_reader_signs_up_logs_out_logs_in_resets_password_and_returns_to_the_article(
    live_server, page, screenshot, mailoutbox
):
    article = ArticleFactory(authors=[AuthorFactory()])
    start = live_server.url + article.get_absolute_url()
    page.goto(start)

    header(page).get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()

    # A weak password is refused with the error next to the field.
    page.get_by_label("Email").fill("Reader.One@example.com")
    page.get_by_label("Username").fill("readerone")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_label("Password (again)").fill("password")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#id_password1_error")).to_contain_text("too common")
    screenshot("account-signup-error-desktop")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(start)
    expect(header(page)).to_contain_text("readerone")

    log_out(page)
    expect(page).to_have_url(start)
    expect(header(page).get_by_role("link", name="Log in")).to_be_visible()

    header(page).get_by_role("link", name="Log in").click()
    log_in(page, "reader.one@example.com", "not-my-password")
    expect(page.locator(".form-errors")).to_be_visible()
    log_in(page, "reader.one@example.com", PASSWORD)
    expect(page).to_have_url(start)
    log_out(page)

    header(page).get_by_role("link", name="Log in").click()
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("reader.one@example.com")
    page.get_by_role("button", name="Send the link").click()
    reset_mail = next(m for m in mailoutbox if "/password/reset/key/" in m.body)
    link = re.search(r"https?://\S+/password/reset/key/\S+", reset_mail.body).group(0)

    page.goto(link)
    page.get_by_label("New Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(page, "readerone", NEW_PASSWORD)
    expect(page).to_have_url(start)
    expect(header(page)).to_contain_text("readerone")


@pytest.mark.parametrize(("width_name", "viewport"), [("desktop", None), ("phone", PHONE)])
def test_login_and_signup_pages_at_desktop_and_phone_widths(
    live_server, page, browser, screenshot, width_name, viewport
):
    if viewport:
        page = browser.new_context(viewport=viewport).new_page()
    for name, path in (("login", "/accounts/login/"), ("signup", "/accounts/signup/")):
        page.goto(live_server.url + path)
        form = page.locator("form.account-form")
        expect(form).to_be_visible()
        # The form fits the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # The honeypot stays out of sight.
        assert not page.locator("input[name=website]").is_visible() or (
            page.locator("input[name=website]").bounding_box()["x"] < 0
        )
        screenshot(f"account-{name}-{width_name}", target=page)
    if viewport:
        page.context.close()


def test_reader_sets_display_name_and_avatar_on_the_profile_page(
    live_server, page, browser, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    UserFactory(username="profiled", email="profiled@example.com")
    picture = tmp_path / "me.png"
    Image.new("RGB", (640, 480), (30, 90, 160)).save(picture)

    page.goto(live_server.url + reverse("accounts:profile"))
    log_in(page, "profiled", FACTORY_PASSWORD)
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    page.get_by_label("Display name").fill("Pat Profile")
    page.get_by_label("Avatar").set_input_files(str(picture))
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")
    expect(header(page)).to_contain_text("Pat Profile")
    expect(page.locator("img.avatar")).to_be_visible()
    screenshot("account-profile-desktop")

    phone = browser.new_context(viewport=PHONE)
    phone_page = phone.new_page()
    phone_page.goto(live_server.url + reverse("account_login"))
    log_in(phone_page, "profiled", FACTORY_PASSWORD)
    phone_page.goto(live_server.url + reverse("accounts:profile"))
    screenshot("account-profile-phone", target=phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone_page.goto(live_server.url + reverse("account_change_password"))
    screenshot("account-password-change-phone", target=phone_page)
    phone.close()
