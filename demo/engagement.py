"""Readers, ratings, comments, a poll and recent views on the newest demo stories.

Ratings, comments and votes go through each app's own services, so every counter stays
exact; only the daily view buckets are written in bulk.
"""

# ruff: noqa: S311 - demo activity, nothing secret is drawn at random

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from comments.models import Comment
from comments.services import CommentError, comment_create, comment_moderate, commenter_trust
from demo.builders import ids_reserve, rows_copy
from demo.wordlists import words
from polls.models import Poll, PollChoice
from polls.services import PollError, poll_vote_cast
from ratings.services import RatingError, rating_set
from readership.models import ArticleViewDay

ENGAGED_ARTICLES = 30
DEMO_READERS = 12
POLL_QUESTION = "Did the council get this right?"
POLL_CHOICES = ("Yes", "No", "Not sure")
DEMO_READER_NOTE = "Demo reader: trusted so that the demo site shows its comments."


def engagement_add(seed: int) -> None:
    """Readers rate, comment on and vote in a poll on the newest published stories."""
    rng = random.Random(seed)
    readers = readers_ensure()
    newest = list(Article.objects.published().order_by("-published_at")[:ENGAGED_ARTICLES])
    _ratings_add(rng, readers, newest)
    _comments_add(rng, readers, newest)
    _poll_add(rng, readers, newest[:1])


def readers_ensure() -> list:
    """Demo readers without a password: they exist to have rated and commented.

    They are trusted commenters, so their comments show at once: otherwise the rule that
    holds a reader's first comment for a moderator would hold every one of them.
    """
    w = words()
    readers = []
    for number, name in enumerate(w.first_names[:DEMO_READERS]):
        username = f"demo-{slugify(name)}"
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.com",
                "display_name": f"{name} {w.last_names[number][0]}.",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            commenter_trust(user=user, note=DEMO_READER_NOTE)
        readers.append(user)
    return readers


def _ratings_add(rng, readers, articles) -> None:
    for article in articles:
        mood = rng.randint(2, 5)
        for reader in rng.sample(readers, rng.randint(0, len(readers))):
            stars = max(1, min(5, mood + rng.choice((-1, 0, 0, 1))))
            try:
                rating_set(article=article, user=reader, stars=stars)
            except RatingError:
                return


def _comments_add(rng, readers, articles) -> None:
    if Comment.objects.filter(user__in=readers).exists():
        _held_comments_approve(readers)
        return  # seeded before: running again adds nothing
    w = words()
    for article in articles:
        for _ in range(rng.randint(0, 4)):
            try:
                comment = comment_create(
                    article=article, user=rng.choice(readers), body=rng.choice(w.comments)
                )
                if rng.random() < 0.5:
                    comment_create(
                        article=article,
                        user=rng.choice(readers),
                        body=rng.choice(w.replies),
                        parent=comment,
                    )
            except CommentError:
                break


def _held_comments_approve(readers) -> None:
    """Show the comments an older seed left waiting (before its readers were trusted)."""
    held = Comment.objects.filter(user__in=readers, status=Comment.Status.PENDING)
    for reader in readers:
        commenter_trust(user=reader, note=DEMO_READER_NOTE)
    comment_moderate(comments=held, status=Comment.Status.APPROVED, moderator=None)


def _poll_add(rng, readers, articles) -> None:
    for article in articles:
        if Poll.objects.filter(article=article).exists():
            continue
        poll = Poll.objects.create(article=article, question=POLL_QUESTION)
        choices = [
            PollChoice.objects.create(poll=poll, text=text, position=position)
            for position, text in enumerate(POLL_CHOICES)
        ]
        for reader in readers:
            try:
                poll_vote_cast(poll=poll, choice=rng.choice(choices), user=reader)
            except PollError:
                break


def recent_views_add(articles: list[Article], now: datetime) -> None:
    """Daily view buckets for the last few days, so "Most read" has something to show."""
    today = timezone.localdate(now)
    recent = [a for a in articles if a.is_public and (now - a.published_at).days < 3]
    ArticleViewDay.objects.bulk_create(
        [
            ArticleViewDay(
                article=article,
                day=today - timedelta(days=back),
                views=random.Random(article.slug + str(back)).randint(5, 900),
            )
            for article in recent
            for back in range(2)
        ],
        ignore_conflicts=True,
    )


# A story's comments: the newest stories are talked about as much as issue 12's imported
# WordPress site's (30,152 comments on 2,018 stories, 15 each); older ones less.
TALKED_ABOUT = 2000
FRESH_COMMENTS = 15
OLD_COMMENTS = 2
MOST_COMMENTS = 120
REPLY_SHARE = 0.35


def comment_counts_draw(rng: random.Random, number: int, public: bool) -> int:
    """How many comments demo story `number` (0 is the newest) gets: a long tail, as
    readers pile onto a few stories."""
    if not public:
        return 0
    mean = FRESH_COMMENTS if number < TALKED_ABOUT else OLD_COMMENTS
    return min(MOST_COMMENTS, int(rng.expovariate(1 / mean)))


def comments_bulk_add(
    articles: list[Article], counts: list[int], readers: list, *, seed: int, now: datetime
) -> None:
    """`counts[i]` approved comments on `articles[i]`, about a third of them replies, in
    one COPY, dated after their story. The articles' comment_count was set to the same
    numbers when they were written: exact without a second write of the wide rows."""
    rng = random.Random(seed)
    w = words()
    threads, replies = [], []
    for article, count in zip(articles, counts, strict=True):
        # Every thread starts with a comment: at most count - 1 replies.
        answers = sum(rng.random() < REPLY_SHARE for _ in range(count - 1))
        threads += [(article, None, rng.choice(w.comments)) for _ in range(count - answers)]
        replies += [(article, rng.choice(w.replies)) for _ in range(answers)]
    pks = ids_reserve(Comment, len(threads) + len(replies))
    thread_of = {}  # article id -> the ids of its threads
    for (article, _parent, _body), pk in zip(threads, pks[: len(threads)], strict=True):
        thread_of.setdefault(article.pk, []).append(pk)
    rows = threads + [
        (article, rng.choice(thread_of[article.pk]), body) for article, body in replies
    ]
    rows_copy(
        Comment,
        ["id", "article_id", "user_id", "parent_id", "body", "status", "created_at"],
        (
            (
                pk,
                article.pk,
                rng.choice(readers).pk,
                parent,
                body,
                Comment.Status.APPROVED,
                _comment_date(pk, article.published_at, reply=parent is not None, now=now),
            )
            for (article, parent, body), pk in zip(rows, pks, strict=True)
        ),
    )


def _comment_date(pk: int, published_at: datetime, *, reply: bool, now: datetime) -> datetime:
    """After its story, minutes to days later (a reply a day after), never in the future."""
    later = timedelta(minutes=10 + (pk * 7919) % 2880, days=1 if reply else 0)
    return min(now, published_at + later)
