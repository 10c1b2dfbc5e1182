"""The articles admin: the editors' desk rules for authors and editors, actions and history."""

import datetime

import pytest
import reversion
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from accounts import roles
from articles.models import Article, ArticleAuthor
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(response, **overrides):
    """The POST data a browser would send for the admin form in `response`, plus overrides."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        forms.extend(inline.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if value is None or name == "image":
                continue
            if isinstance(field.widget, MultiWidget):
                parts = field.widget.decompress(value) if not isinstance(value, list) else value
                for index, part in enumerate(parts):
                    data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_user(role):
    user = UserFactory()
    roles.role_assign(user=user, role=role)
    return user


@pytest.fixture
def author_user(db):
    return make_user(roles.AUTHOR)


@pytest.fixture
def author_client(client, author_user):
    client.force_login(author_user)
    return client


def draft_by(author, **kwargs):
    kwargs.setdefault("status", Article.Status.DRAFT)
    kwargs.setdefault("published_at", None)
    return ArticleFactory(authors=[author], **kwargs)


# The list ---------------------------------------------------------------------------------


def test_article_list_shows_the_desk_columns(editor_client, article):
    Article.objects.filter(pk=article.pk).update(
        view_count=771, rating_sum=19, rating_count=5, comment_count=12
    )
    response = editor_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert article.title in html
    assert article.bylines.get().author.name in html
    assert "771" in html
    assert "3.8 (5)" in html
    assert "Politics" in html


@pytest.mark.parametrize("rows", [3, 30])
def test_article_list_makes_a_fixed_number_of_queries(
    editor_client, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        ArticleFactory(authors=[AuthorFactory(), AuthorFactory()])
    with django_assert_max_num_queries(16):
        response = editor_client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_article_list_sorts_by_rating(editor_client):
    low = ArticleFactory(rating_sum=2, rating_count=1)
    high = ArticleFactory(rating_sum=10, rating_count=2)
    response = editor_client.get(CHANGELIST, {"o": "-7"})
    assert response.status_code == 200
    results = list(response.context["cl"].result_list)
    assert results.index(high) < results.index(low)


def test_article_list_searches_the_standfirst(editor_client):
    wanted = ArticleFactory(standfirst="The harbour bridge reopens after repairs.")
    ArticleFactory(standfirst="Something else entirely.")
    response = editor_client.get(CHANGELIST, {"q": "harbour"})
    assert list(response.context["cl"].result_list) == [wanted]


def test_article_list_filters_by_author(editor_client):
    writer = AuthorFactory()
    theirs = ArticleFactory(authors=[writer])
    ArticleFactory(authors=[AuthorFactory()])
    response = editor_client.get(CHANGELIST, {"authors__id__exact": writer.pk})
    assert list(response.context["cl"].result_list) == [theirs]


# Authors ----------------------------------------------------------------------------------


def test_author_sees_only_their_own_articles_in_the_list(author_client, author_user):
    own = draft_by(author_user.author)
    other = draft_by(AuthorFactory())
    response = author_client.get(CHANGELIST)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [own]
    assert other.title not in response.content.decode()


def test_author_cannot_open_another_authors_draft_by_url(author_client):
    other = draft_by(AuthorFactory(), title="A secret draft of someone else")
    response = author_client.get(change_url(other))
    assert response.status_code in (302, 403)
    assert b"A secret draft" not in response.content
    preview = author_client.get(reverse("admin:articles_article_preview", args=[other.pk]))
    assert preview.status_code in (403, 404)


def test_author_cannot_change_another_authors_draft_with_a_crafted_post(author_client):
    other = draft_by(AuthorFactory(), title="Original title")
    response = author_client.post(change_url(other), {"title": "Hijacked"})
    assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert other.title == "Original title"


def test_authors_new_article_gets_their_byline(author_client, author_user, section):
    page = author_client.get(ADD)
    assert page.status_code == 200
    data = form_data(
        page, title="My first piece", slug="my-first-piece", category=section.pk, status="draft"
    )
    response = author_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="my-first-piece")
    assert list(article.authors.all()) == [author_user.author]


def test_author_cannot_publish_even_with_crafted_form_data(author_client, author_user):
    own = draft_by(author_user.author)
    page = author_client.get(change_url(own))
    data = form_data(
        page,
        status="published",
        published_at_0="2026-01-01",
        published_at_1="10:00:00",
        is_featured="on",
    )
    response = author_client.post(change_url(own), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.status == Article.Status.DRAFT
    assert own.published_at is None
    assert not own.is_featured


def test_author_sending_to_review_ignores_publish_time_and_featured(author_client, author_user):
    own = draft_by(author_user.author)
    page = author_client.get(change_url(own))
    data = form_data(
        page,
        status="review",
        published_at_0="2026-01-01",
        published_at_1="10:00:00",
        is_featured="on",
    )
    response = author_client.post(change_url(own), data)
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == Article.Status.REVIEW
    assert own.published_at is None
    assert not own.is_featured


def test_author_status_choices_are_draft_and_review(author_client, author_user):
    own = draft_by(author_user.author)
    form = author_client.get(change_url(own)).context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == ["draft", "review"]
    assert "published_at" not in form.fields
    assert "is_featured" not in form.fields


def test_author_cannot_edit_their_article_once_published(author_client, author_user):
    own = ArticleFactory(authors=[author_user.author], title="Out in the world")
    page = author_client.get(change_url(own))
    assert page.status_code == 200  # read-only view
    assert not page.context["has_change_permission"]
    response = author_client.post(change_url(own), {"title": "Changed afterwards"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.title == "Out in the world"


def test_author_does_not_get_publish_actions(author_client, author_user):
    draft_by(author_user.author)
    action_form = author_client.get(CHANGELIST).context["action_form"]
    names = set()
    if action_form is not None:
        names = {name for name, _label in action_form.fields["action"].choices}
    assert not names & {"publish_now", "unpublish", "feature", "close_comments"}


def test_author_cannot_run_publish_action_with_a_crafted_post(author_client, author_user):
    own = draft_by(author_user.author)
    response = author_client.post(
        CHANGELIST, {"action": "publish_now", "_selected_action": [own.pk]}
    )
    assert response.status_code in (200, 302)
    own.refresh_from_db()
    assert own.status == Article.Status.DRAFT


def test_author_cannot_remove_their_own_byline(author_client, author_user, section):
    own = draft_by(author_user.author, category=section)
    page = author_client.get(change_url(own))
    data = form_data(page, **{"bylines-0-DELETE": "on"})
    response = author_client.post(change_url(own), data)
    assert response.status_code == 302
    assert own.bylines.filter(author=author_user.author).exists()


# Editors ----------------------------------------------------------------------------------


def test_editor_can_open_any_authors_draft(editor_client):
    other = draft_by(AuthorFactory(), title="Anyone's draft")
    response = editor_client.get(change_url(other))
    assert response.status_code == 200
    assert response.context["has_change_permission"]


def test_editor_schedules_an_article_through_the_form(editor_client, section):
    draft = draft_by(AuthorFactory(), category=section)
    page = editor_client.get(change_url(draft))
    when = timezone.localtime() + datetime.timedelta(days=2)
    data = form_data(
        page,
        status="published",
        published_at_0=when.strftime("%Y-%m-%d"),
        published_at_1=when.strftime("%H:%M:%S"),
    )
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert not draft.is_public
    assert draft.published_at > timezone.now()


def test_editor_publishing_without_a_time_publishes_now(editor_client, section):
    draft = draft_by(AuthorFactory(), category=section)
    data = form_data(editor_client.get(change_url(draft)), status="published")
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_public


def test_publishing_needs_a_section_a_standfirst_and_image_alt_text(editor_client):
    draft = draft_by(AuthorFactory(), category=None, standfirst="")
    data = form_data(editor_client.get(change_url(draft)), status="published")
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "category" in errors
    assert "standfirst" in errors
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_publish_action_refuses_an_article_without_standfirst(editor_client, section):
    ready = draft_by(AuthorFactory(), category=section)
    not_ready = draft_by(AuthorFactory(), category=section, standfirst="")
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_now", "_selected_action": [ready.pk, not_ready.pk]},
        follow=True,
    )
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert ready.is_public
    assert not_ready.status == Article.Status.DRAFT
    assert "needs a standfirst" in response.content.decode()


def test_unpublish_action_takes_articles_off_the_site(editor_client, article):
    editor_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().filter(pk=article.pk).exists()


@pytest.mark.parametrize(
    ("action", "field", "expected"),
    [
        ("archive", "status", Article.Status.ARCHIVED),
        ("feature", "is_featured", True),
        ("close_comments", "comments_mode", Article.Comments.CLOSED),
    ],
)
def test_bulk_actions_change_every_selected_article(editor_client, action, field, expected):
    chosen = [ArticleFactory(), ArticleFactory()]
    left_alone = ArticleFactory()
    editor_client.post(CHANGELIST, {"action": action, "_selected_action": [a.pk for a in chosen]})
    for article in chosen:
        article.refresh_from_db()
        assert getattr(article, field) == expected
    left_alone.refresh_from_db()
    assert getattr(left_alone, field) != expected


def test_unfeature_and_open_comments_undo_their_counterparts(editor_client):
    article = ArticleFactory(is_featured=True, comments_mode=Article.Comments.CLOSED)
    for action in ("unfeature", "open_comments"):
        editor_client.post(CHANGELIST, {"action": action, "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert not article.is_featured
    assert article.comments_mode == Article.Comments.OPEN


def test_draft_has_a_preview_link_and_published_article_a_view_on_site_link(editor_client):
    draft = draft_by(AuthorFactory())
    public = ArticleFactory()
    preview_url = reverse("admin:articles_article_preview", args=[draft.pk])
    draft_page = editor_client.get(change_url(draft)).content.decode()
    assert preview_url in draft_page
    assert editor_client.get(preview_url).status_code == 200
    public_page = editor_client.get(change_url(public)).content.decode()
    assert public.get_absolute_url() in public_page
    assert "View on site" in public_page


def test_body_html_is_sanitised_when_saved_from_the_admin(editor_client, section):
    draft = draft_by(AuthorFactory(), category=section)
    data = form_data(
        editor_client.get(change_url(draft)),
        body='<p onclick="steal()">Hi<script>alert(1)</script><img src=x onerror=alert(2)></p>',
    )
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert "Hi" in draft.body
    assert "script" not in draft.body
    assert "onerror" not in draft.body
    assert "onclick" not in draft.body


def test_a_file_that_is_not_an_image_is_refused(editor_client, section):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = draft_by(AuthorFactory(), category=section)
    data = form_data(editor_client.get(change_url(draft)))
    data["image"] = SimpleUploadedFile("photo.png", b"not a png at all", "image/png")
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "image" in response.context["adminform"].form.errors


def test_tags_are_picked_by_name_and_new_ones_typed_in(editor_client, section):
    draft = draft_by(AuthorFactory(), category=section)
    draft.tags.add("harbour")
    page = editor_client.get(change_url(draft))
    assert page.context["adminform"].form["tags"].value() == ["harbour"]
    data = form_data(page, tags=["harbour", "night trams"])
    assert editor_client.post(change_url(draft), data).status_code == 302
    assert set(draft.tags.names()) == {"harbour", "night trams"}


def test_tag_autocomplete_suggests_existing_tags_by_name(editor_client, article):
    article.tags.add("harbour", "harvest", "budget")
    url = reverse("admin:articles_article_tag_autocomplete")
    response = editor_client.get(url, {"term": "har"})
    assert response.json()["results"] == [
        {"id": "harbour", "text": "harbour"},
        {"id": "harvest", "text": "harvest"},
    ]


def test_tag_autocomplete_is_for_the_desk_only(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:articles_article_tag_autocomplete"))
    assert response.status_code == 302  # to the admin log-in


def test_change_form_has_the_fieldsets_in_the_editors_order(editor_client, article):
    fieldsets = editor_client.get(change_url(article)).context["adminform"].fieldsets
    names = [str(name) for name, _options in fieldsets]
    assert names == [
        "Headline",
        "Body",
        "Image",
        "Filing",
        "Publishing",
        "Engagement",
        "SEO overrides",
    ]


# History ----------------------------------------------------------------------------------


def test_history_records_who_changed_what_and_restore_brings_it_back(editor_client, editor):
    article = draft_by(AuthorFactory(), title="First headline", category=CategoryFactory())
    with reversion.create_revision():
        reversion.set_user(editor)
        article.save()
    data = form_data(editor_client.get(change_url(article)), title="Second headline")
    assert editor_client.post(change_url(article), data).status_code == 302

    versions = Version.objects.get_for_object(article)
    assert versions.count() == 2
    assert versions.first().revision.user == editor
    history = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert editor.username in history.content.decode()

    oldest = versions.last()
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, oldest.pk])
    page = editor_client.get(revision_url)
    assert page.status_code == 200
    response = editor_client.post(revision_url, form_data(page))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "First headline"
    assert ArticleAuthor.objects.filter(article=article).count() == 1


def test_editor_gets_the_reader_poll_inline_at_the_end_of_the_form(editor_client, article):
    inlines = editor_client.get(change_url(article)).context["inline_admin_formsets"]
    models = [inline.formset.model._meta.label for inline in inlines]
    assert models[0] == "articles.ArticleAuthor"
    assert models[-1] == "polls.Poll"


def test_restoring_an_old_version_is_for_editors_only(author_client, author_user, editor):
    own = draft_by(author_user.author)
    with reversion.create_revision():
        reversion.set_user(editor)
        own.save()
    version = Version.objects.get_for_object(own).first()
    revision_url = reverse("admin:articles_article_revision", args=[own.pk, version.pk])
    assert author_client.get(revision_url).status_code == 403
    assert author_client.get(reverse("admin:articles_article_recoverlist")).status_code == 403
    history = author_client.get(reverse("admin:articles_article_history", args=[own.pk]))
    assert history.status_code == 200


def test_a_correction_saved_in_the_admin_shows_to_anonymous_readers_at_once(
    client, editor, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Mayor resings")
    assert "Mayor resings" in client.get(article.get_absolute_url()).content.decode()

    client.force_login(editor)
    data = form_data(client.get(change_url(article)), title="Mayor resigns")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(article), data).status_code == 302
    client.logout()

    page = client.get(article.get_absolute_url()).content.decode()
    assert "Mayor resigns" in page and "Mayor resings" not in page


def test_a_big_article_list_is_counted_from_the_tables_statistics(editor_client, monkeypatch):
    """Past EXACT_COUNT_BELOW rows the unfiltered list is not counted row by row; below
    that (and whatever the statistics say, stale or not) it is counted exactly."""
    from articles import paginators

    ArticleFactory.create_batch(3)
    monkeypatch.setattr(paginators, "table_estimate", lambda table: 123_456)
    assert editor_client.get(CHANGELIST).context["cl"].result_count == 3
    monkeypatch.setattr(paginators, "EXACT_COUNT_BELOW", 2)
    assert editor_client.get(CHANGELIST).context["cl"].result_count == 123_456
    filtered = editor_client.get(CHANGELIST + "?status__exact=published")
    assert filtered.context["cl"].result_count == 3
