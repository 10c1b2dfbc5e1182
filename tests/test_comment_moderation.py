from django.urls import reverse

from accounts import roles
from comments.models import Comment, CommenterStatus
from comments.services import comment_create, comment_moderate
from tests.comment_helpers import counted
from tests.factories import ArticleFactory, CommentFactory, UserFactory

CHANGELIST = "admin:comments_comment_changelist"


def act(client, action, comments):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def test_editors_see_the_queue_with_waiting_comments_first(editor_client, article):
    CommentFactory(article=article, body="Old approved one.")
    comment_create(article=article, user=UserFactory(), body="Please approve me.")
    CommentFactory(article=article, body="Newest approved one.")
    response = editor_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    rows = [c.body for c in response.context["cl"].result_list]
    assert rows[0] == "Please approve me."
    assert rows[1:] == ["Newest approved one.", "Old approved one."]


def test_queue_shows_article_user_and_the_users_history(editor_client, article):
    user = UserFactory(username="historian")
    CommentFactory(article=article, user=user)
    CommentFactory(article=article, user=user)
    CommentFactory(article=article, user=user, status="hidden")
    CommentFactory(article=article, user=user, status="spam")
    waiting = CommentFactory(article=article, user=user, status="pending")
    response = editor_client.get(reverse(CHANGELIST), {"status__exact": "pending"})
    row = response.context["cl"].result_list[0]
    assert row.pk == waiting.pk
    assert (row.user_approved, row.user_hidden) == (2, 2)
    html = response.content.decode()
    assert "historian" in html and article.title in html
    assert "2 approved, 2 hidden" in html
    assert reverse("comments:permalink", kwargs={"pk": waiting.pk}) in html


def test_readers_and_authors_cannot_open_the_queue(client, article):
    client.force_login(UserFactory())
    assert client.get(reverse(CHANGELIST)).status_code == 302
    client.force_login(roles.role_assign(user=UserFactory(), role=roles.AUTHOR))
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_bulk_approve_hide_and_spam_keep_the_comment_count_right(editor_client, article):
    waiting = [comment_create(article=article, user=UserFactory(), body=f"W{n}") for n in range(3)]
    act(editor_client, "mark_approved", waiting)
    article.refresh_from_db()
    assert article.comment_count == 3 == counted(article)
    act(editor_client, "mark_hidden", waiting[:2])
    article.refresh_from_db()
    assert article.comment_count == 1 == counted(article)
    response = act(editor_client, "mark_spam", waiting)
    assert "3 comments marked as spam." in response.content.decode()
    article.refresh_from_db()
    assert article.comment_count == 0 == counted(article)
    moderated = Comment.objects.get(pk=waiting[2].pk)
    assert moderated.moderated_by is not None and moderated.moderated_at is not None


def test_approving_twice_counts_once(article):
    comment = comment_create(article=article, user=UserFactory(), body="Once.")
    assert comment_moderate(comments=[comment], status="approved", moderator=None) == 1
    assert comment_moderate(comments=[comment], status="approved", moderator=None) == 0
    article.refresh_from_db()
    assert article.comment_count == 1


def test_bulk_moderation_across_articles_moves_each_count(article):
    other = ArticleFactory()
    comments = [CommentFactory(article=a) for a in (article, other, other)]
    comment_moderate(comments=comments, status="hidden", moderator=None)
    article.refresh_from_db()
    other.refresh_from_db()
    assert (article.comment_count, other.comment_count) == (0, 0)


def test_deleted_comments_stay_uncounted_when_approved(article):
    comment = CommentFactory(article=article)
    Comment.objects.filter(pk=comment.pk).update(deleted_at="2026-01-01T00:00Z")
    Comment.objects.filter(pk=comment.pk).update(status="pending")
    article.comment_count = 0
    article.save(update_fields=["comment_count"])
    comment_moderate(comments=[comment], status="approved", moderator=None)
    article.refresh_from_db()
    assert article.comment_count == 0


def test_ban_and_trust_actions_act_on_the_comment_authors(editor_client, article):
    spammer, friend = UserFactory(), UserFactory()
    spam = CommentFactory(article=article, user=spammer)
    kind = CommentFactory(article=article, user=friend)
    response = act(editor_client, "ban_authors", [spam])
    assert "1 reader banned." in response.content.decode()
    act(editor_client, "trust_authors", [kind])
    assert CommenterStatus.objects.get(user=spammer).is_banned
    assert CommenterStatus.objects.get(user=friend).is_trusted
    editor_client.force_login(spammer)
    url = reverse("comments:create", kwargs={"article_id": article.pk})
    assert editor_client.post(url, {"body": "Let me in."}).status_code == 403


def test_the_queue_has_a_fixed_number_of_queries(editor_client, django_assert_max_num_queries):
    article = ArticleFactory()
    CommentFactory(article=article)
    editor_client.get(reverse(CHANGELIST))  # warm the editor's permission cache and session
    with django_assert_max_num_queries(12) as one:
        editor_client.get(reverse(CHANGELIST))
    queries_for_one = len(one)  # read now: the next request resets Django's query log
    for n in range(59):
        CommentFactory(article=ArticleFactory() if n % 3 else article, status="pending")
    editor_client.get(reverse(CHANGELIST))  # new sections emptied the cached menu
    with django_assert_max_num_queries(queries_for_one):
        response = editor_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 50  # one page of the queue


def test_comment_page_is_read_only_and_cannot_be_deleted(editor_client, article):
    comment = CommentFactory(article=article)
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()
    editor_client.post(url, {"status": "hidden"})
    comment.refresh_from_db()
    assert comment.status == "approved"
    delete = reverse("admin:comments_comment_delete", args=[comment.pk])
    assert editor_client.get(delete).status_code == 403
    assert editor_client.get(reverse("admin:comments_comment_add")).status_code == 403


def test_view_on_site_leads_to_the_comment_in_place(editor_client, article):
    comment = comment_create(article=article, user=UserFactory(), body="Judge me in place.")
    response = editor_client.get(reverse("comments:permalink", kwargs={"pk": comment.pk}))
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    page = editor_client.get(response["Location"]).content.decode()
    assert "Judge me in place." in page and "Awaiting moderation" in page


def test_commenter_cannot_be_both_trusted_and_banned_in_the_admin(editor_client):
    user = UserFactory()
    response = editor_client.post(
        reverse("admin:comments_commenterstatus_add"),
        {"user": user.pk, "is_trusted": "on", "is_banned": "on", "note": ""},
    )
    assert response.status_code == 200
    assert "cannot be trusted and banned at once" in response.content.decode()
    assert not CommenterStatus.objects.filter(user=user).exists()
