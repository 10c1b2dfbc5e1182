"""Random sequences of what readers and moderators do, run from many threads at once, then
every denormalised counter compared with a fresh count of its rows (tests/counter_checks.py).

Each example is a list of steps per thread: rate, change or withdraw a rating, vote a comment
up or down, vote in a poll, comment, report, moderate, delete a user. Refusals (a closed
thread, one's own comment, a deleted account) are part of the game; only exactness counts.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles.models import Article
from comments.models import Comment
from comments.services import comment_create, comment_moderate, comment_report
from core.exceptions import ServiceError
from polls.models import PollChoice
from polls.services import poll_vote_cast
from ratings.services import rating_remove, rating_set
from tests.concurrency import run_in_threads
from tests.counter_checks import counter_mismatches
from tests.factories import ArticleFactory, CommentFactory, PollFactory, UserFactory
from votes.services import comment_vote_cast

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
READERS = 8

STEP = st.one_of(
    st.tuples(st.just("rate"), st.integers(0, READERS - 1), st.integers(1, 5)),
    st.tuples(st.just("unrate"), st.integers(0, READERS - 1), st.just(0)),
    st.tuples(st.just("vote"), st.integers(0, READERS - 1), st.sampled_from([1, -1])),
    st.tuples(st.just("poll"), st.integers(0, READERS - 1), st.integers(0, 2)),
    st.tuples(st.just("comment"), st.integers(0, READERS - 1), st.integers(0, 1)),
    st.tuples(st.just("report"), st.integers(0, READERS - 1), st.just(0)),
    st.tuples(st.just("moderate"), st.integers(0, READERS - 1), st.integers(0, 2)),
    st.tuples(st.just("delete-user"), st.integers(0, READERS - 1), st.just(0)),
)
PLAN = st.lists(st.lists(STEP, min_size=1, max_size=6), min_size=THREADS, max_size=THREADS)
MODERATION = ["approved", "hidden", "spam"]


def build_world() -> dict:
    article = ArticleFactory()
    readers = [UserFactory() for _ in range(READERS)]
    poll = PollFactory(article=article, answers=["yes", "no", "maybe"])
    return {
        "article": article,
        "reader_ids": [reader.pk for reader in readers],
        "comment": CommentFactory(article=article, user=UserFactory()),
        "poll": poll,
        "choice_ids": list(poll.choices.order_by("position").values_list("pk", flat=True)),
        "moderator": UserFactory(is_staff=True, is_superuser=True),
    }


def perform(world: dict, step: tuple) -> None:
    action, who, value = step
    user = get_user_model().objects.filter(pk=world["reader_ids"][who]).first()
    if user is None:  # deleted by another thread's step
        return
    article = Article.objects.get(pk=world["article"].pk)
    comment = Comment.objects.filter(article=article).order_by("-pk").first()
    if action == "rate":
        rating_set(article=article, user=user, stars=value)
    elif action == "unrate":
        rating_remove(article=article, user=user)
    elif action == "vote":
        comment_vote_cast(user=user, comment=comment, value=value)
    elif action == "poll":
        choice = PollChoice.objects.get(pk=world["choice_ids"][value])
        poll_vote_cast(poll=world["poll"], choice=choice, user=user)
    elif action == "comment":
        parent = comment if value and comment.parent_id is None else None
        comment_create(article=article, user=user, body=f"Step by {user.pk}", parent=parent)
    elif action == "report":
        comment_report(comment=comment, user=user, reason="spam")
    elif action == "moderate":
        comment_moderate(
            comments=[comment], status=MODERATION[value], moderator=world["moderator"]
        )
    elif action == "delete-user":
        user.delete()


def run_plan(world: dict, plan: list[list[tuple]]) -> None:
    def work(index: int) -> None:
        for step in plan[index]:
            try:
                perform(world, step)
            except ServiceError:
                pass  # a refusal the service explains to the reader: no counter moved
            except IntegrityError:
                pass  # the author was deleted while this write was in flight: it fails whole
            except OperationalError as error:
                # Deleting a user while their own write is in flight can deadlock; PostgreSQL
                # cancels one side, which leaves every counter exact (asserted below).
                if "deadlock" not in str(error):
                    raise

    run_in_threads(THREADS, work)


@hypothesis_settings(
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=PLAN)
def test_every_counter_matches_its_rows_after_any_concurrent_sequence(plan, settings):
    settings.RATELIMIT_ENABLE = False
    world = build_world()

    run_plan(world, plan)

    assert counter_mismatches() == []
