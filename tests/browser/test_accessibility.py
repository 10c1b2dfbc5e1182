"""axe-core on every reader page and the desk's main admin pages, in a real Chromium.

axe is not in the repository: .ci/run fetches the npm package `axe-core` into .data/axe/
(AXE_JS points elsewhere if you have it). Without it these tests are skipped, saying so.
Any violation of impact "serious" or "critical" fails the test, and so does a "moderate" one
on our own pages: all of those are fixed. Each page is loaded once, in the one browser.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts import roles
from articles.models import GalleryImage
from frontpage.models import Banner, Zone
from frontpage.services import banners_changed, zones_changed
from tests.browser.conftest import log_in_as
from tests.factories import UserFactory
from tests.sample_site import picture, sample_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEFAULT_AXE_JS = Path(settings.BASE_DIR) / ".data" / "axe" / "axe.min.js"
AXE_JS = Path(os.environ.get("AXE_JS") or DEFAULT_AXE_JS)
OUR_IMPACTS = ("moderate", "serious", "critical")
# Django's own admin (its header, sidebar, changelist and widgets) is not ours to restyle;
# on the admin pages only what would stop someone using the page fails the test.
ADMIN_IMPACTS = ("serious", "critical")

if not AXE_JS.is_file():
    pytestmark.append(
        pytest.mark.skip(
            reason=f"no axe-core at {AXE_JS}: run .ci/run (npm pack axe-core) or set AXE_JS"
        )
    )

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.fixture
def newsroom(settings, tmp_path):
    """The sample site, plus a gallery, an embed, curated zones and a breaking-news banner."""
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    site = sample_site()
    article = site["article"]
    article.body += f'<p><a href="{YOUTUBE}">{YOUTUBE}</a></p>'
    article.save()
    for position in range(2):
        GalleryImage.objects.create(
            article=article,
            image=picture(f"gallery{position}.jpg"),
            alt=f"The chamber, view {position + 1}",
            caption=f"The chamber from the gallery, {position + 1}",
            credit="Photo: Jo Writer",
            position=position,
        )
    Zone.objects.all().delete()
    Zone.objects.create(title="Top stories", layout=Zone.Layout.LEAD, size=3)
    Zone.objects.create(title="Latest", layout=Zone.Layout.GRID, size=4, position=1)
    Zone.objects.create(
        title="Politics", layout=Zone.Layout.BLOCK, size=3, position=2, section=site["section"]
    )
    zones_changed(zones=Zone.objects.all())
    Banner.objects.create(
        text="Polls have closed: follow the count live",
        link=site["live"].get_absolute_url(),
        expires_at=timezone.now() + timezone.timedelta(hours=2),
    )
    banners_changed()
    return site


# Django's own admin markup, on the admin pages, by axe rule: these are Django's templates and
# its vendored Select2, not ours to rewrite (the inline tables label their inputs by column
# heading, Select2's search box has no label, the breadcrumbs' and inline rows' links are
# told apart by colour only). What we add to the admin (our widgets, the dashboard, the
# workflow buttons, the readers chart) is checked in full.
DJANGO_ADMIN_OWN = {
    "label": [".tabular td", ".select2-container"],
    "list": [".select2-container"],
    "aria-input-field-name": [".select2-container"],
    "link-in-text-block": [".breadcrumbs", ".inline-related h3", ".inline-related td.original"],
}

RUN_AXE = """async ([skip, rules]) => {
    const options = {resultTypes: ["violations"], ...(rules ? {runOnly: rules} : {})};
    const results = await axe.run(document, options);
    const skipped = (rule, node) => (skip[rule] || []).some(
        (selector) => document.querySelector(node.target.join(" "))?.closest(selector));
    return results.violations.map((violation) => ({
        ...violation, nodes: violation.nodes.filter((node) => !skipped(violation.id, node)),
    })).filter((violation) => violation.nodes.length);
}"""


def axe_problems(page, url: str, impacts, skip: dict, rules: list[str] | None) -> list[str]:
    """Load the page, run axe on it and describe each violation of one of those impacts."""
    page.goto(url)
    # Injected through the DevTools protocol: the page's own CSP does not apply to it.
    page.evaluate(AXE_JS.read_text())
    return [
        f"{url} [{violation['impact']}] {violation['id']}: {violation['help']}\n"
        + "\n".join(
            f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            f"\n      {node['html'][:160]}"
            for node in violation["nodes"][:6]
        )
        for violation in page.evaluate(RUN_AXE, [skip, rules])
        if violation["impact"] in impacts
    ]


def scan(page, live_server, paths, impacts=OUR_IMPACTS, skip=None, rules=None) -> None:
    problems = []
    for path in paths:
        problems += axe_problems(page, live_server.url + path, impacts, skip or {}, rules)
    assert not problems, "axe found:\n" + "\n".join(problems)


def reader_paths(newsroom) -> list[str]:
    article, day = newsroom["article"], newsroom["article"].publish_date
    return [
        "/",
        article.get_absolute_url(),
        newsroom["live"].get_absolute_url(),
        newsroom["section"].get_absolute_url(),
        reverse("articles:tag", args=["budget"]),
        newsroom["author"].get_absolute_url(),
        reverse("articles:archive-month", args=[str(day.year), f"{day:%m}"]),
        reverse("search:search") + "?q=council+budget",
        reverse("articles:corrections"),
        "/about/",
        reverse("account_login"),
        reverse("account_signup"),
        "/section/no-such-section/",
    ]


def test_the_reader_pages_pass_axe(live_server, page, screenshot, newsroom):
    scan(page, live_server, reader_paths(newsroom))
    # The sample is worth checking only with the interesting parts on it.
    page.goto(live_server.url + "/")
    assert page.get_by_role("region", name="Breaking news").is_visible()
    screenshot("axe-front")
    page.goto(live_server.url + newsroom["article"].get_absolute_url())
    for part in ("figure.embed", ".gallery", ".corrections", ".poll", ".comments", ".share"):
        assert page.locator(part).count(), part
    screenshot("axe-article")


def test_the_reader_pages_have_enough_contrast_in_dark_mode(live_server, page, newsroom):
    page.emulate_media(color_scheme="dark")
    scan(page, live_server, reader_paths(newsroom), rules=["color-contrast"])


def test_a_logged_in_readers_pages_pass_axe(live_server, page, newsroom):
    # Logged in, the story has the star rating, the poll and comment forms, own comments.
    log_in_as(page, live_server, newsroom["reader"])
    paths = [newsroom["article"].get_absolute_url(), reverse("accounts:profile")]
    scan(page, live_server, paths)
    page.emulate_media(color_scheme="dark")
    scan(page, live_server, paths, rules=["color-contrast"])


def test_the_desk_pages_pass_axe(live_server, page, newsroom):
    editor = roles.role_assign(user=UserFactory(username="axe-editor"), role=roles.EDITOR)
    log_in_as(page, live_server, editor)
    change = reverse("admin:articles_article_change", args=[newsroom["article"].pk])
    scan(
        page,
        live_server,
        [reverse("admin:index"), change],
        impacts=ADMIN_IMPACTS,
        skip=DJANGO_ADMIN_OWN,
    )
    # static/js/admin_labels.js names the boxes after their field (this is the change form).
    expect(page.get_by_role("textbox", name="Body", exact=True)).to_have_count(1)
    expect(page.get_by_role("textbox", name="Publish time, Date")).to_have_count(1)
    expect(page.get_by_role("textbox", name="Publish time, Time")).to_have_count(1)
