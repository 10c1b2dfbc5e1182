"""Corrections and update notes, and the public "Updated" time that only editorial edits move."""

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, Correction
from comments.services import comment_moderate
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory
from tests.test_admin_articles import change_url, form_data

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=3)


@pytest.fixture
def story(section, author):
    """Published three days ago and never edited since."""
    # Whole seconds, as the admin form's date and time fields send it back.
    published = timezone.now().replace(microsecond=0) - LONG_AGO
    article = ArticleFactory(category=section, authors=[author], published_at=published)
    Article.objects.filter(pk=article.pk).update(updated_at=published, edited_at=published)
    article.refresh_from_db()
    return article


def json_ld_modified(html: str) -> str:
    start = html.index('"@type": "NewsArticle"')
    block = html[html.rindex("<script", 0, start) : html.index("</script>", start)]
    return json.loads(block[block.index(">") + 1 :])["dateModified"]


def add_note(article, note="The vote is on Thursday, not Tuesday.", kind="correction"):
    return services.correction_save(correction=Correction(article=article, note=note, kind=kind))


# Corrections -------------------------------------------------------------------------------


def test_a_correction_shows_at_the_foot_of_the_story(client, story):
    add_note(story)
    html = client.get(story.get_absolute_url()).content.decode()
    corrections = html.index('class="corrections"')
    assert html.index("article__body") < corrections < html.index("article__footer")
    assert "The vote is on Thursday, not Tuesday." in html[corrections:]
    assert "Correction" in html[corrections:]


def test_adding_a_correction_purges_the_cached_story_and_corrections_page(
    client, story, django_capture_on_commit_callbacks
):
    # The whole sentence, not a weekday: the masthead prints today's date.
    note = "The vote is on Thursday, not Tuesday."
    assert note not in client.get(story.get_absolute_url()).content.decode()
    assert note not in client.get(reverse("articles:corrections")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        add_note(story, note=note)
    assert note in client.get(story.get_absolute_url()).content.decode()
    assert note in client.get(reverse("articles:corrections")).content.decode()


def test_the_corrections_page_lists_public_stories_notes_newest_first(client, story):
    older = add_note(story, note="First note.")
    Correction.objects.filter(pk=older.pk).update(noted_at=timezone.now() - timedelta(hours=2))
    add_note(story, note="Second note.", kind="update")
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    add_note(draft, note="A draft's note.")

    html = client.get(reverse("articles:corrections")).content.decode()
    assert html.index("Second note.") < html.index("First note.")
    assert "A draft&#x27;s note." not in html and "A draft's note." not in html
    assert f'href="{story.get_absolute_url()}#correction-' in html


def test_the_corrections_page_is_paginated_with_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    for _ in range(35):
        add_note(ArticleFactory())
    with django_assert_max_num_queries(6):
        first = client.get(reverse("articles:corrections"))
    assert first.content.decode().count('class="correction__story"') == 30
    second = client.get(reverse("articles:corrections"), {"page": 2})
    assert second.content.decode().count('class="correction__story"') == 5
    assert client.get(reverse("articles:corrections"), {"page": 9}).status_code == 404


def test_the_feed_entry_carries_the_notes(client, story):
    add_note(story)
    feed = client.get(reverse("articles:feed-rss")).content.decode()
    assert "Correction (" in feed and "The vote is on Thursday, not Tuesday." in feed


def test_an_empty_note_is_refused(story):
    with pytest.raises(services.ServiceError):
        add_note(story, note="   ")
    assert not Correction.objects.exists()


def test_an_editor_appends_a_correction_in_the_article_form(editor_client, client, story):
    page = editor_client.get(change_url(story))
    data = form_data(page)
    data.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "correction",
            "corrections-0-note": "We misspelt the councillor's name.",
            "corrections-0-noted_at_0": timezone.localtime().strftime("%Y-%m-%d"),
            "corrections-0-noted_at_1": timezone.localtime().strftime("%H:%M:%S"),
        }
    )
    response = editor_client.post(change_url(story), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert story.corrections.get().note == "We misspelt the councillor's name."
    story.refresh_from_db()
    assert story.edited_at > timezone.now() - timedelta(minutes=1)


# "Updated" ---------------------------------------------------------------------------------


def shows_updated(client, article) -> bool:
    return "Updated" in client.get(article.get_absolute_url() + "?fresh").content.decode()


def test_a_correction_moves_the_updated_time(client, story):
    assert not shows_updated(client, story)
    add_note(story)
    story.refresh_from_db()
    assert shows_updated(client, story)
    html = client.get(story.get_absolute_url() + "?fresh").content.decode()
    assert json_ld_modified(html).startswith(story.edited_at.isoformat()[:19])


def test_closing_comments_does_not_move_the_updated_time(client, story):
    services.article_set_comments(articles=[story], mode=Article.Comments.CLOSED)
    story.refresh_from_db()
    assert story.updated_at > story.published_at + LONG_AGO / 2
    assert story.modified_at == story.published_at
    assert not shows_updated(client, story)
    html = client.get(story.get_absolute_url() + "?again").content.decode()
    assert json_ld_modified(html).startswith(story.published_at.isoformat()[:19])


def test_closing_comments_in_the_article_form_does_not_move_it(editor_client, client, story):
    data = form_data(editor_client.get(change_url(story)), comments_mode="closed")
    assert editor_client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.comments_mode == "closed"
    assert story.modified_at == story.published_at
    assert not shows_updated(client, story)


def test_moderating_a_comment_does_not_move_it(client, story, editor):
    comment = CommentFactory(article=story, status="pending")
    comment_moderate(comments=[comment], status="approved", moderator=editor)
    story.refresh_from_db()
    assert story.modified_at == story.published_at
    assert not shows_updated(client, story)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "A new headline"},
        {"standfirst": "A better standfirst."},
        {"body": "<p>Rewritten.</p>"},
        {"tags": ["fresh-tag"]},
    ],
    ids=["headline", "standfirst", "body", "tags"],
)
def test_an_editorial_edit_in_the_form_moves_it(editor_client, client, story, change):
    data = form_data(editor_client.get(change_url(story)), **change)
    response = editor_client.post(change_url(story), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.edited_at > timezone.now() - timedelta(minutes=1)
    assert shows_updated(client, story)


def test_changing_the_byline_moves_it(editor_client, client, story):
    other = AuthorFactory()
    data = form_data(editor_client.get(change_url(story)))
    data["bylines-0-author"] = str(other.pk)
    response = editor_client.post(change_url(story), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.edited_at > timezone.now() - timedelta(minutes=1)


def test_a_reimported_export_does_not_move_it(tmp_path, client):
    from tests.test_import_pages import run
    from tests.wxr import export, post

    path = export(tmp_path, post(7))
    run(path)
    article = Article.objects.get(slug="story-7")
    assert article.edited_at is None
    run(export(tmp_path, post(7)))
    article.refresh_from_db()
    assert article.edited_at is None
    assert article.modified_at == article.published_at
    assert not shows_updated(client, article)


def test_the_feed_entry_is_updated_only_by_an_edit(client, story):
    services.article_set_comments(articles=[story], mode=Article.Comments.CLOSED)
    feed = client.get(reverse("articles:feed-atom")).content.decode()
    published = timezone.localtime(story.published_at).isoformat()[:19]
    assert f"<updated>{published}" in feed


def test_the_migration_starts_edited_at_from_the_old_updated_time(story):
    Article.objects.filter(pk=story.pk).update(edited_at=None)
    migration = importlib.import_module("articles.migrations.0015_edited_at_and_corrections")
    migration.edited_from_updated(apps, None)
    story.refresh_from_db()
    assert story.edited_at == story.updated_at
