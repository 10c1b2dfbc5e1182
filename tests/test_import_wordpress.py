"""`manage.py import_wordpress`: the sample export in tests/fixtures, re-runs and bad input."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Author, User
from articles.models import Article, Category
from wpimport.models import ImportedItem, OldAddress

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "wordpress-export.xml"
MEDIA = FIXTURES / "wordpress-media"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command("import_wordpress", *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue()


def comments():
    from comments.models import Comment

    return Comment.objects


def imported():
    run(EXPORT, media_dir=str(MEDIA))


def test_import_brings_over_posts_sections_tags_and_authors():
    output = run(EXPORT, media_dir=str(MEDIA))
    assert Article.objects.count() == 4
    assert Article.objects.published().count() == 3
    assert set(Category.objects.values_list("name", flat=True)) == {
        "News",
        "Local politics",
        "Culture & Arts",
    }
    assert set(Author.objects.values_list("name", flat=True)) == {
        "Mara Jensen",
        "Olúwaseun Adébáyọ̀",
    }
    bridge = Article.objects.get(slug="harbour-bridge-reopens")
    assert bridge.category.name == "News"
    assert list(bridge.authors.values_list("name", flat=True)) == ["Mara Jensen"]
    assert set(bridge.tags.names()) == {"harbour"}
    assert bridge.standfirst == "After two years and £14m, the crossing is open again."
    assert bridge.is_featured  # sticky in WordPress
    assert "articles: 4 new, 0 updated" in output


def test_a_published_post_the_publish_rules_refuse_comes_in_as_a_draft(client, tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(
        EXPORT.read_text().replace(
            '<category domain="category" nicename="culture"><![CDATA[Culture &amp; Arts]]>'
            "</category>",
            "",
        )
    )
    output = run(export)
    festival = Article.objects.get(slug="aero-ferry-festival")
    assert festival.status == Article.Status.DRAFT
    assert festival.category is None
    assert festival.published_at is not None  # kept for when an editor publishes it
    assert "Imported as drafts 1 (published in WordPress):" in output
    assert "post 103 “Ærø ferry festival: ½ price tickets and a ☃ parade”: A published" in output
    assert client.get("/?p=103").status_code == 404  # until an editor publishes it


def test_post_status_and_dates_follow_wordpress():
    imported()
    bridge = Article.objects.get(slug="harbour-bridge-reopens")
    assert bridge.status == Article.Status.PUBLISHED
    assert bridge.published_at.isoformat() == "2024-03-14T09:30:00+00:00"
    draft = Article.objects.get(title="Notes for the harbour board follow-up")
    assert draft.status == Article.Status.DRAFT
    assert draft.published_at is None
    budget = Article.objects.get(slug="council-budget-2024")
    assert budget.comments_mode == Article.Comments.CLOSED
    assert budget.category.name == "Local politics"  # the first category is the section
    assert set(budget.tags.names()) == {"budget 2024", "harbour", "News"}


def test_unicode_titles_survive_and_get_readable_slugs():
    imported()
    festival = Article.objects.get(title="Ærø ferry festival: ½ price tickets and a ☃ parade")
    assert festival.slug == "aero-ferry-festival"
    assert "祭り" in festival.body


def test_attachments_private_posts_and_unknown_types_are_reported_as_skipped():
    output = run(EXPORT, media_dir=str(MEDIA))
    assert "page 2" not in output  # imported as a Page (tests/test_import_pages.py)
    assert "post 105 “Private memo: staff rota”: status “private”" in output
    assert "unknown post type “nav_menu_item”" in output
    assert not Article.objects.filter(title__in=["About the Gazette", "harbour-bridge"]).exists()
    assert not Article.objects.filter(title__startswith="Private memo").exists()


def test_hostile_html_in_posts_is_stripped():
    imported()
    budget = Article.objects.get(slug="council-budget-2024")
    assert "Councillors argued for <em>six hours</em>." in budget.body
    for hostile in ("<script", "onmouseover", "onerror", "javascript:", "<iframe"):
        assert hostile not in budget.body
    # No excerpt in WordPress: the standfirst comes from the text.
    assert budget.standfirst.startswith("The council voted 23 to 19 for the budget.")


def test_approved_comments_come_with_their_replies_and_spam_stays_out():
    imported()
    bridge = Article.objects.get(slug="harbour-bridge-reopens")
    rows = list(comments().filter(article=bridge).order_by("created_at"))
    assert [c.body[:20] for c in rows] == [
        "Finally! The detour ",
        "Thanks Pat. The coun",
        "Good to hear — see y",
    ]
    first, reply, reply_to_reply = rows
    assert first.parent is None
    assert reply.parent == first
    # Threads are one level deep here: a reply to a reply joins the thread.
    assert reply_to_reply.parent == first
    assert first.public_name == "Pat Quayside"
    assert first.created_at.isoformat() == "2024-03-14T11:00:00+00:00"
    assert all(c.status == "approved" for c in rows)
    bridge.refresh_from_db()
    assert bridge.comment_count == 3
    assert not comments().filter(body__contains="replica watches").exists()
    assert not comments().filter(body__contains="1998").exists()


def test_hostile_html_in_comments_is_stripped():
    imported()
    body = comments().get(body__startswith="Good to hear").body
    assert "<" not in body
    assert "document.cookie" not in body
    assert "onerror" not in body


def test_commenters_get_no_login_and_keep_no_email():
    imported()
    pat = User.objects.get(display_name="Pat Quayside")
    assert not pat.is_active
    assert not pat.has_usable_password()
    assert "pat@example.net" not in pat.email


def test_spam_unapproved_and_pingbacks_are_reported():
    output = run(EXPORT, media_dir=str(MEDIA))
    assert "comment 14 on post 101: marked as spam" in output
    assert "comment 15 on post 101: never approved" in output
    assert "comment 16 on post 101: pingbacks are not comments" in output


def test_featured_image_comes_from_the_media_dir():
    imported()
    bridge = Article.objects.get(slug="harbour-bridge-reopens")
    assert bridge.image
    assert bridge.image_alt == "Cars crossing the harbour bridge at dawn"
    assert bridge.image_caption == "Cars cross the reopened bridge at dawn."


def test_featured_image_is_reported_missing_without_a_media_dir():
    output = run(EXPORT)
    assert "featured image: no --media-dir given" in output
    assert not Article.objects.get(slug="harbour-bridge-reopens").image


def test_running_again_updates_instead_of_duplicating():
    imported()
    bridge = Article.objects.get(slug="harbour-bridge-reopens")
    Article.objects.filter(pk=bridge.pk).update(title="Edited meanwhile")
    counts = (
        Article.objects.count(),
        Category.objects.count(),
        Author.objects.count(),
        comments().count(),
        User.objects.count(),
        OldAddress.objects.count(),
    )
    output = run(EXPORT, media_dir=str(MEDIA))
    assert counts == (
        Article.objects.count(),
        Category.objects.count(),
        Author.objects.count(),
        comments().count(),
        User.objects.count(),
        OldAddress.objects.count(),
    )
    bridge.refresh_from_db()
    assert bridge.title == "Harbour bridge reopens after two years of repairs"
    assert bridge.comment_count == 3
    assert "articles: 0 new, 4 updated" in output


@pytest.mark.parametrize("decision", ["hidden", "spam"])
def test_running_again_leaves_a_comment_a_moderator_took_down_as_it_is(decision):
    from comments.services import comment_moderate

    imported()
    bridge = Article.objects.get(slug="harbour-bridge-reopens")
    first = comments().filter(article=bridge).earliest()
    comment_moderate(comments=[first], status=decision, moderator=None)
    run(EXPORT, media_dir=str(MEDIA))
    first.refresh_from_db()
    assert first.status == decision
    bridge.refresh_from_db()
    assert bridge.comment_count == 2 == comments().counted().filter(article=bridge).count()


def test_running_again_does_not_bring_back_a_comment_its_author_deleted():
    from comments.services import comment_delete

    imported()
    bridge = Article.objects.get(slug="harbour-bridge-reopens")
    reply = comments().filter(article=bridge, parent__isnull=False).earliest()
    comment_delete(comment=reply, user=reply.user)
    run(EXPORT, media_dir=str(MEDIA))
    reply.refresh_from_db()
    assert reply.is_deleted
    assert reply.body == ""
    bridge.refresh_from_db()
    assert bridge.comment_count == 2 == comments().counted().filter(article=bridge).count()


def test_dry_run_imports_nothing():
    output = run(EXPORT, media_dir=str(MEDIA), dry_run=True)
    assert "Dry run" in output
    assert "articles: 4 new" in output
    assert not Article.objects.exists()
    assert not Category.objects.exists()
    assert not ImportedItem.objects.exists()
    assert not OldAddress.objects.exists()


def test_old_permalinks_redirect_to_the_new_addresses(client):
    imported()
    bridge = Article.objects.get(slug="harbour-bridge-reopens")
    response = client.get("/2024/03/harbour-bridge-reopens/")
    assert response.status_code == 301
    assert response["Location"] == bridge.get_absolute_url()
    assert client.get(bridge.get_absolute_url()).status_code == 200


def test_old_query_string_links_redirect_too(client):
    imported()
    festival = Article.objects.get(slug="aero-ferry-festival")
    response = client.get("/?p=103")
    assert response.status_code == 301
    assert response["Location"] == festival.get_absolute_url()
    assert client.get("/?p=99999").status_code == 404  # as WordPress answers an unknown ID


def test_drafts_get_no_redirect(client):
    imported()
    assert client.get("/?p=104").status_code == 404


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.xml")


def test_malformed_xml_is_a_clear_error_and_imports_nothing(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text(EXPORT.read_text()[:5000])
    with pytest.raises(CommandError, match="not well-formed XML"):
        run(broken)
    assert not Article.objects.exists()


def test_an_unknown_wxr_version_is_refused(tmp_path):
    future = tmp_path / "future.xml"
    future.write_text(
        EXPORT.read_text().replace(
            "<wp:wxr_version>1.2</wp:wxr_version>", "<wp:wxr_version>9.9</wp:wxr_version>"
        )
    )
    with pytest.raises(CommandError, match="Unknown WXR version '9.9'"):
        run(future)
    assert not Article.objects.exists()


def test_an_older_wxr_namespace_is_read(tmp_path):
    old = tmp_path / "old.xml"
    old.write_text(
        EXPORT.read_text()
        .replace("export/1.2/", "export/1.0/")
        .replace("<wp:wxr_version>1.2</wp:wxr_version>", "<wp:wxr_version>1.0</wp:wxr_version>")
    )
    run(old)
    assert Article.objects.count() == 4


def test_an_xml_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        "<rss><channel><title>&lol2;</title></channel></rss>"
    )
    with pytest.raises(CommandError, match="refuse for safety"):
        run(bomb)


def test_an_rss_feed_that_is_not_a_wordpress_export_is_refused(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>')
    with pytest.raises(CommandError, match="not a WordPress export"):
        run(feed)


def test_a_failure_half_way_rolls_everything_back(tmp_path, monkeypatch):
    from wpimport import importer

    calls = []

    def fail_on_third(self, item):
        calls.append(item.id)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(self, item)

    original = importer.Importer.item
    monkeypatch.setattr(importer.Importer, "item", fail_on_third)
    with pytest.raises(RuntimeError):
        run(EXPORT)
    assert not Article.objects.exists()
    assert not ImportedItem.objects.exists()


def test_attachments_that_are_no_featured_image_are_reported(tmp_path):
    export = tmp_path / "export.xml"
    export.write_text(
        EXPORT.read_text().replace(
            "<wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key>",
            "<wp:meta_key><![CDATA[_old_thumbnail_id]]></wp:meta_key>",
        )
    )
    output = run(export, media_dir=str(MEDIA))
    assert "attachment 201 “harbour-bridge”: media files come across only as featured" in output
    assert not Article.objects.get(slug="harbour-bridge-reopens").image


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_do_not_duplicate_anything():
    import threading

    from django.db import connection

    errors = []

    def import_once():
        try:
            run(EXPORT)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=import_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Article.objects.count() == 4
    assert comments().count() == 3
    assert Article.objects.get(slug="harbour-bridge-reopens").comment_count == 3
