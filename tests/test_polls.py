import pytest
from django.contrib.admin.sites import AdminSite
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.db.models import Count
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import Article
from polls.admin import PollAdmin, PollInline
from polls.models import Poll, PollVote
from polls.services import PollError, poll_vote_cast
from tests.concurrency import run_in_threads
from tests.factories import ArticleFactory, PollFactory, PollVoteFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_poll(article, answers=("Yes", "No", "Not sure"), **kwargs):
    question = "Should the council raise tax?"
    return PollFactory(article=article, question=question, answers=list(answers), **kwargs)


@pytest.fixture
def poll(article):
    return make_poll(article)


def vote_url(poll):
    return reverse("polls:vote", args=[poll.pk])


def counts(poll):
    return list(poll.choices.order_by("position").values_list("vote_count", flat=True))


def fresh_counts(poll):
    rows = poll.choices.order_by("position").annotate(n=Count("votes"))
    return [row.n for row in rows]


def choice(poll, index):
    return poll.choices.order_by("position")[index]


# The service ------------------------------------------------------------------------------


def test_a_vote_adds_one_to_the_chosen_answer(poll, user):
    poll_vote_cast(poll=poll, choice=choice(poll, 1), user=user)
    assert counts(poll) == [0, 1, 0] == fresh_counts(poll)


def test_voting_again_moves_the_vote_and_keeps_one_row(poll, user):
    poll_vote_cast(poll=poll, choice=choice(poll, 0), user=user)
    poll_vote_cast(poll=poll, choice=choice(poll, 2), user=user)
    assert PollVote.objects.filter(poll=poll, user=user).count() == 1
    assert counts(poll) == [0, 0, 1] == fresh_counts(poll)


def test_voting_the_same_answer_twice_counts_once(poll, user):
    poll_vote_cast(poll=poll, choice=choice(poll, 0), user=user)
    poll_vote_cast(poll=poll, choice=choice(poll, 0), user=user)
    assert counts(poll) == [1, 0, 0]


def test_an_answer_from_another_poll_is_refused(poll, user, article):
    other = make_poll(article)
    with pytest.raises(PollError, match="does not belong"):
        poll_vote_cast(poll=poll, choice=choice(other, 0), user=user)
    assert not PollVote.objects.exists()


def test_a_closed_poll_refuses_votes(article, user):
    closed = make_poll(article, closes_at=timezone.now() - timezone.timedelta(minutes=1))
    with pytest.raises(PollError, match="closed"):
        poll_vote_cast(poll=closed, choice=choice(closed, 0), user=user)


def test_the_database_allows_one_vote_per_user_per_poll(poll, user):
    PollVoteFactory(choice=choice(poll, 0), user=user)
    with pytest.raises(IntegrityError, match="pollvote_one_per_user"):
        PollVoteFactory(choice=choice(poll, 1), user=user)


def test_a_poll_without_closing_time_is_open_and_one_in_the_future_too(article):
    assert not make_poll(article).is_closed
    later = make_poll(article, closes_at=timezone.now() + timezone.timedelta(days=1))
    assert not later.is_closed


# Views: plain form path -------------------------------------------------------------------


def test_a_signed_in_reader_votes_and_is_sent_back_to_the_poll(reader_client, poll):
    response = reader_client.post(vote_url(poll), {"choice": choice(poll, 1).pk})
    assert response.status_code == 302
    assert response["Location"] == f"{poll.article.get_absolute_url()}#poll-{poll.pk}"
    assert counts(poll) == [0, 1, 0]


def test_anonymous_voters_are_sent_to_log_in_and_back_to_the_poll(client, poll):
    response = client.post(vote_url(poll), {"choice": choice(poll, 0).pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"%23poll-{poll.pk}" in response["Location"]
    assert counts(poll) == [0, 0, 0]


def test_anonymous_htmx_vote_gets_401_and_a_redirect_header(client, poll):
    response = client.post(
        vote_url(poll), {"choice": choice(poll, 0).pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 401
    assert "HX-Redirect" in response


@pytest.mark.parametrize("value", ["", "abc", "-3", "2.5", None])
def test_a_missing_or_malformed_answer_is_400(reader_client, poll, value):
    data = {} if value is None else {"choice": value}
    for headers in ({}, {"HX-Request": "true"}):
        response = reader_client.post(vote_url(poll), data, headers=headers)
        assert response.status_code == 400
        assert "Choose one of the answers" in response.content.decode()
    assert counts(poll) == [0, 0, 0]


def test_an_unknown_answer_is_400(reader_client, poll):
    response = reader_client.post(vote_url(poll), {"choice": 987654})
    assert response.status_code == 400


def test_an_answer_from_another_poll_is_400_in_the_view(reader_client, poll, article):
    other = make_poll(article)
    response = reader_client.post(vote_url(poll), {"choice": choice(other, 0).pk})
    assert response.status_code == 400
    assert "does not belong" in response.content.decode()
    assert counts(poll) == [0, 0, 0] == counts(other)


def test_a_closed_poll_is_403_with_a_message(reader_client, article):
    closed = make_poll(article, closes_at=timezone.now() - timezone.timedelta(seconds=1))
    response = reader_client.post(vote_url(closed), {"choice": choice(closed, 0).pk})
    assert response.status_code == 403
    assert "This poll has closed" in response.content.decode()


def test_an_unknown_poll_is_404(reader_client):
    assert (
        reader_client.post(reverse("polls:vote", args=[424242]), {"choice": 1}).status_code == 404
    )


def test_a_poll_on_a_draft_article_is_404(reader_client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    poll = make_poll(draft)
    response = reader_client.post(vote_url(poll), {"choice": choice(poll, 0).pk})
    assert response.status_code == 404


def test_get_on_the_vote_action_is_405(reader_client, poll):
    assert reader_client.get(vote_url(poll)).status_code == 405


def test_a_vote_without_csrf_token_is_refused(poll, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(vote_url(poll), {"choice": choice(poll, 0).pk})
    assert response.status_code == 403
    assert counts(poll) == [0, 0, 0]


# Views: htmx path ---------------------------------------------------------------------------


def test_an_htmx_vote_returns_the_results_in_place(reader_client, poll):
    poll_vote_cast(poll=poll, choice=choice(poll, 0), user=UserFactory())
    response = reader_client.post(
        vote_url(poll), {"choice": choice(poll, 1).pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="poll-{poll.pk}-body"' in html
    assert "50% · 1 vote" in strip_tags(html)
    assert "(your vote)" in html
    assert f'id="poll-{poll.pk}-status" data-hx-swap-oob="innerHTML"' in html
    assert "your vote is counted" in html


# The widget -------------------------------------------------------------------------------


def render_polls(article, user):
    request = RequestFactory().get(article.get_absolute_url())
    request.user = user
    template = Template("{% load poll_tags %}{% article_polls article %}")
    return template.render(Context({"article": article, "request": request, "user": user}))


def test_anonymous_readers_see_the_question_and_log_in_to_vote(poll, article):
    html = render_polls(article, AnonymousUser())
    assert poll.question in html
    assert "Log in to vote" in html
    assert "<form" not in html and "csrfmiddlewaretoken" not in html


def test_a_reader_who_has_not_voted_sees_the_form_not_the_results(poll, article, user):
    html = render_polls(article, user)
    assert "<form" in html and "<fieldset" in html and "<legend" in html
    assert html.count('type="radio" name="choice"') == 3
    assert "<meter" not in html


def test_after_voting_the_reader_sees_results_as_accessible_bars(poll, article, user):
    poll_vote_cast(poll=poll, choice=choice(poll, 0), user=user)
    for _ in range(3):
        poll_vote_cast(poll=poll, choice=choice(poll, 1), user=UserFactory())
    html = render_polls(article, user)
    text = " ".join(strip_tags(html).split())
    assert "Yes (your vote) 25% · 1 vote" in text
    assert "No 75% · 3 votes" in text
    assert "4 votes in total" in text
    assert html.count("<meter") == 3
    assert 'value="75"' in html
    # They may still change it while the poll is open.
    assert "Change my vote" in html and f'value="{choice(poll, 0).pk}" checked' in html


def test_a_closed_poll_shows_results_to_everyone_and_no_form(article, user):
    closed = make_poll(article, closes_at=timezone.now() - timezone.timedelta(hours=1))
    html = render_polls(article, AnonymousUser())
    assert "This poll has closed" in html and "<meter" in html
    assert "Log in to vote" not in html
    assert "<form" not in render_polls(article, user)
    assert closed.question in html


def test_the_polls_render_in_a_fixed_number_of_queries(
    article, user, django_assert_max_num_queries
):
    for _ in range(4):
        make_poll(article, answers=[f"Answer {n}" for n in range(10)])
    with django_assert_max_num_queries(3):
        html = render_polls(article, user)
    assert html.count('class="engagement poll"') == 4
    with django_assert_max_num_queries(2):
        render_polls(article, AnonymousUser())


# Admin --------------------------------------------------------------------------------------


def choice_formset_data(texts, prefix="choices"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(texts)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }
    for index, text in enumerate(texts):
        data[f"{prefix}-{index}-text"] = text
        data[f"{prefix}-{index}-position"] = str(index)
    return data


@pytest.mark.parametrize(
    ("texts", "valid"),
    [(["Only one", ""], False), (["Yes", "No"], True), ([f"A{n}" for n in range(11)], False)],
)
def test_the_poll_admin_requires_two_to_ten_answers(article, staff_user, texts, valid):
    client = Client()
    client.force_login(staff_user)
    data = {"article": article.pk, "question": "Is it?", "closes_at_0": "", "closes_at_1": ""}
    data |= choice_formset_data(texts)
    response = client.post(reverse("admin:polls_poll_add"), data)
    if valid:
        assert response.status_code == 302
        assert Poll.objects.get().choices.count() == 2
    else:
        assert response.status_code == 200
        assert "A poll needs from 2 to 10 answers" in response.content.decode()
        assert not Poll.objects.exists()


def test_the_poll_admin_lists_polls_with_their_vote_totals(poll, staff_user):
    poll_vote_cast(poll=poll, choice=choice(poll, 0), user=UserFactory())
    client = Client()
    client.force_login(staff_user)
    response = client.get(reverse("admin:polls_poll_changelist"))
    assert response.status_code == 200
    assert poll.question in response.content.decode()


def test_the_article_inline_creates_a_poll_with_answers_typed_one_per_line(article):
    inline = PollInline(Article, AdminSite())
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    FormSet = inline.get_formset(request, article)
    data = {
        "polls-TOTAL_FORMS": "1",
        "polls-INITIAL_FORMS": "0",
        "polls-MIN_NUM_FORMS": "0",
        "polls-MAX_NUM_FORMS": "1000",
        "polls-0-question": "Best option?",
        "polls-0-answers": "Red\n\nGreen\nBlue\n",
    }
    formset = FormSet(data, instance=article, prefix="polls")
    assert formset.is_valid(), formset.errors
    formset.save()
    poll = Poll.objects.get(article=article)
    assert list(poll.choices.values_list("text", flat=True)) == ["Red", "Green", "Blue"]


def test_the_article_inline_refuses_a_poll_with_one_answer(article):
    inline = PollInline(Article, AdminSite())
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    FormSet = inline.get_formset(request, article)
    data = {
        "polls-TOTAL_FORMS": "1",
        "polls-INITIAL_FORMS": "0",
        "polls-MIN_NUM_FORMS": "0",
        "polls-MAX_NUM_FORMS": "1000",
        "polls-0-question": "Best option?",
        "polls-0-answers": "Only",
    }
    formset = FormSet(data, instance=article, prefix="polls")
    assert not formset.is_valid()
    assert not Poll.objects.exists()


def test_poll_admin_is_registered():
    from django.contrib import admin

    assert isinstance(admin.site._registry[Poll], PollAdmin)


# Concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_voters_leave_exact_counts():
    poll = make_poll(ArticleFactory())
    choices = list(poll.choices.order_by("position"))
    users = UserFactory.create_batch(35)
    switcher, switcher_b = UserFactory(), UserFactory()
    for voter in (switcher, switcher_b):
        poll_vote_cast(poll=poll, choice=choices[0], user=voter)

    def work(index):
        if index < 35:
            poll_vote_cast(poll=poll, choice=choices[index % 3], user=users[index])
        else:
            # Two users flipping between answers in opposite directions at the same time.
            voter = switcher if index % 2 else switcher_b
            target = choices[(index + (1 if index % 2 else 2)) % 3]
            poll_vote_cast(poll=poll, choice=target, user=voter)

    run_in_threads(50, work)
    assert PollVote.objects.filter(poll=poll).count() == 37
    assert counts(poll) == fresh_counts(poll)
    assert sum(counts(poll)) == 37
