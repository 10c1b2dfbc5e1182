"""Rendered pieces of pages (core/fragments.py, `{% piece %}`): a change shows at once,
with the page cache off and on, and nothing personal passes from one reader to another."""

import pytest
from django.core.cache import caches
from taggit.models import Tag

from articles import services
from articles.models import Article
from comments.models import Comment
from comments.services import comment_moderate
from ratings.services import rating_set
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    PollFactory,
    UserFactory,
    VoteFactory,
)
from votes.services import comment_vote_cast


@pytest.fixture(autouse=True)
def _fresh_fragments():
    caches["template_fragments"].clear()
    yield
    caches["template_fragments"].clear()


@pytest.fixture(params=[0, 60], ids=["rendered", "page-cache"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = request.param
    return request.param


@pytest.fixture
def story(db, section, author):
    article = ArticleFactory(category=section, authors=[author], title="The first headline")
    article.tags.add("harbour")
    return article


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_pieces_are_served_from_the_cache_on_the_second_render(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    store = caches["template_fragments"]
    page(client, story)
    filled = len(store._cache)
    assert filled >= 5  # the story's pieces, related, most read, menu, footer
    page(client, story)
    assert len(store._cache) == filled


def test_an_edit_shows_at_once(client, story, page_cache, django_capture_on_commit_callbacks):
    assert "The first headline" in page(client, story)
    story.title = "A corrected headline"
    story.body = "<p>The corrected paragraph.</p>"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(article=story)
    html = page(client, story)
    assert html.count("A corrected headline") >= 3  # <title>, the heading, JSON-LD
    assert "The first headline" not in html
    assert "The corrected paragraph." in html


def test_a_tag_change_shows_at_once(client, story, page_cache, django_capture_on_commit_callbacks):
    assert "harbour" in page(client, story)
    with django_capture_on_commit_callbacks(execute=True):
        story.tags.set(["lighthouse"])
        services.article_save(article=story)
    html = page(client, story)
    assert "lighthouse" in html and "harbour" not in html


def test_a_renamed_tag_shows_at_once_with_the_page_cache_off(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    page(client, story)
    Tag.objects.filter(name="harbour").update(name="Harbour front")
    assert "Harbour front" in page(client, story)


def test_a_renamed_author_shows_at_once_on_the_story_and_the_lists(
    client, story, author, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    section_url = story.category.get_absolute_url()
    assert author.name in page(client, story)
    assert author.name in client.get(section_url).content.decode()
    author.name = "Renamed Writer"
    author.save()
    assert "Renamed Writer" in page(client, story)
    assert "Renamed Writer" in client.get(section_url).content.decode()


def test_a_new_byline_shows_at_once(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    page(client, story)
    extra = AuthorFactory(name="Second Byline")
    story.bylines.create(author=extra, position=5)
    assert "Second Byline" in page(client, story)


def test_an_approved_comment_shows_at_once_with_the_page_cache_off(client, story, settings):
    # With the page cache on, the shared copy may stay as it was for PAGE_CACHE_SECONDS
    # (tests/test_comment_thread.py): that bound is the page cache's, not the pieces'.
    settings.PAGE_CACHE_SECONDS = 0
    waiting = CommentFactory(article=story, status=Comment.Status.PENDING, body="Worth a look")
    assert "Worth a look" not in page(client, story)
    comment_moderate(comments=[waiting], status=Comment.Status.APPROVED, moderator=None)
    assert "Worth a look" in page(client, story)


def test_a_vote_on_a_comment_shows_at_once_with_the_page_cache_off(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    comment = CommentFactory(article=story)
    before = page(client, story)
    assert 'class="vote__score">0</span>' in before
    comment_vote_cast(user=UserFactory(), comment=comment, value=1)
    assert 'class="vote__score">1</span>' in page(client, story)


def test_a_renamed_commenter_shows_at_once_with_the_page_cache_off(client, story, settings):
    # The thread's key is a digest of what it shows (comments.selectors.thread_version):
    # the author's name is read from their account, which no comment service touches.
    settings.PAGE_CACHE_SECONDS = 0
    commenter = UserFactory(display_name="Old Name")
    CommentFactory(article=story, user=commenter)
    assert "Old Name" in page(client, story)
    commenter.display_name = "New Name"
    commenter.save()
    html = page(client, story)
    assert "New Name" in html and "Old Name" not in html


def test_a_comment_changed_by_any_code_shows_at_once_with_the_page_cache_off(
    client, story, settings
):
    # Nothing has to be bumped: a bare UPDATE (the admin, a script) changes the digest too.
    settings.PAGE_CACHE_SECONDS = 0
    comment = CommentFactory(article=story, body="As first written")
    assert "As first written" in page(client, story)
    Comment.objects.filter(pk=comment.pk).update(body="As corrected")
    html = page(client, story)
    assert "As corrected" in html and "As first written" not in html


def test_a_rating_shows_at_once_with_the_page_cache_off(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page cache's own bound, as for comments
    assert "0 ratings" in page(client, story)
    rating_set(article=story, user=UserFactory(), stars=4)
    html = page(client, story)
    assert "4.0/5" in html and "0 ratings" not in html


def test_a_rating_changed_by_any_code_shows_at_once_with_the_page_cache_off(
    client, story, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    assert "0 ratings" in page(client, story)
    Article.objects.filter(pk=story.pk).update(rating_sum=9, rating_count=2)
    html = page(client, story)
    assert "4.5/5" in html and "2 ratings" in html


def test_a_readers_own_rating_never_reaches_the_anonymous_widget(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    reader = UserFactory()
    rating_set(article=story, user=reader, stars=2)
    client.force_login(reader)
    assert "Your rating: 2 out of 5" in page(client, story)
    client.logout()
    anonymous = page(client, story)
    assert "Your rating" not in anonymous and "Log in to rate" in anonymous
    assert "2.0/5" in anonymous


def test_closing_comments_shows_at_once(
    client, story, page_cache, django_capture_on_commit_callbacks
):
    CommentFactory(article=story, body="Still here")
    assert "Log in to comment" in page(client, story)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_set_comments(articles=[story], mode=Article.Comments.CLOSED)
    html = page(client, story)
    assert "Comments are closed" in html and "Still here" in html


def test_a_new_story_in_a_section_shows_at_once_on_its_page(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    section_url = story.category.get_absolute_url()
    client.get(section_url)
    ArticleFactory(category=story.category, title="Just filed")
    assert "Just filed" in client.get(section_url).content.decode()


def test_a_list_whose_cards_are_cached_reads_no_stories(client, story, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    section_url = story.category.get_absolute_url()
    client.get(section_url)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(section_url).content.decode()
    assert "The first headline" in html
    reads = " ".join(q["sql"] for q in queries)
    assert '"articles_article"."title"' not in reads  # only what the cards' key needs
    assert "articles_articleauthor" in reads  # the bylines, inside that one query


def test_nothing_personal_passes_between_readers_through_a_piece(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    PollFactory(article=story, answers=["Yes", "No"])
    commenter, reader = (
        UserFactory(display_name="Zelda Commenter"),
        UserFactory(display_name="Quentin Reader"),
    )
    CommentFactory(article=story, user=commenter, body="First!")
    VoteFactory(comment=Comment.objects.get(body="First!"))

    client.force_login(reader)
    mine = page(client, story)
    assert "Quentin Reader" in mine and "csrfmiddlewaretoken" in mine and "Log out" in mine
    assert 'name="value" value="up"' in mine  # the reader may vote on the comment

    client.logout()
    anonymous = page(client, story)
    assert "csrfmiddlewaretoken" not in anonymous
    assert "Log out" not in anonymous and "Quentin Reader" not in anonymous
    assert 'name="value" value="up"' not in anonymous
    assert "Log in to comment" in anonymous and "Log in to rate" in anonymous

    client.force_login(commenter)
    own = page(client, story)
    assert "Zelda Commenter" in own and "Log in to comment" not in own
    assert "Yes, delete it" in own  # the commenter's own comment, with its tools
    assert own.count("csrfmiddlewaretoken") >= 2


def test_the_menu_marks_the_section_being_read(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    section_url = story.category.get_absolute_url()
    current = f'<a href="{section_url}" aria-current="page">'
    assert current in client.get(section_url).content.decode()
    assert current not in page(client, story)
