"""How every action says no: one exception type for services, one page, one htmx fragment."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from accounts.roles import RoleError
from articles.services import ArticleNotPublishable
from comments.services import CommentDuplicate, CommentError, CommentForbidden
from core.exceptions import ServiceError
from core.responses import action_refused, log_in_first, login_required_or_401, service_refused
from polls.services import PollError
from ratings.services import RatingError
from votes.services import VoteError

pytestmark = pytest.mark.django_db


def make_request(*, htmx=False, user=None):
    meta = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    request = RequestFactory().post("/action/", **meta)
    request.htmx = HtmxDetails(request)
    request.user = user or AnonymousUser()
    return request


@pytest.mark.parametrize(
    "error, status",
    [
        (CommentError("no"), 400),
        (CommentForbidden("no"), 403),
        (CommentDuplicate("no"), 409),
        (VoteError("no", status_code=403), 403),
        (RatingError("no"), 400),
        (PollError("no"), 400),
        (RoleError("no"), 400),
        (ArticleNotPublishable({"category": "no"}), 400),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_every_service_refusal_is_a_service_error_with_its_status(error, status):
    assert isinstance(error, ServiceError)
    assert error.status_code == status
    assert error.message == str(error) == "no"


def test_an_unpublishable_article_says_every_problem_and_keeps_them_by_field():
    error = ArticleNotPublishable({"category": "Needs a section.", "standfirst": "And more."})
    assert error.message == "Needs a section. And more."
    assert error.problems["standfirst"] == "And more."


def test_a_refusal_is_a_page_for_a_form_and_one_alert_paragraph_for_htmx():
    page = action_refused(make_request(), "Not like that.", status=403, back_url="/x/#y")
    assert page.status_code == 403
    assert "<html" in page.content.decode()
    assert 'href="/x/#y"' in page.content.decode()
    fragment = action_refused(make_request(htmx=True), "Not like that.", status=403)
    assert fragment.status_code == 403
    assert fragment.content.decode() == '<p class="form-error" role="alert">Not like that.</p>'


def test_a_service_error_is_refused_with_its_own_message_and_status():
    response = service_refused(make_request(htmx=True), CommentForbidden("Closed <here>."))
    assert response.status_code == 403
    assert response.content.decode() == (
        '<p class="form-error" role="alert">Closed &lt;here&gt;.</p>'
    )


def test_log_in_first_redirects_a_form_and_gives_htmx_a_401_that_it_follows():
    plain = log_in_first(make_request(), "/story/#rating", "Log in to rate.")
    assert plain.status_code == 302
    assert plain["Location"] == "/accounts/login/?next=/story/%23rating"
    htmx = log_in_first(make_request(htmx=True), "/story/#rating", "Log in to rate.")
    assert htmx.status_code == 401
    assert htmx["HX-Redirect"] == plain["Location"]
    assert "Log in to rate." in htmx.content.decode()


def test_login_required_or_401_lets_readers_through_and_sends_others_back_after_log_in(user):
    @login_required_or_401(lambda pk: f"/story/{pk}/#comments" if pk else None)
    def action(request, pk):
        return HttpResponse("done")

    assert action(make_request(user=user), pk=3).content == b"done"
    assert action(make_request(), pk=3)["Location"].endswith("?next=/story/3/%23comments")
    assert action(make_request(), pk=0)["Location"].endswith("?next=/")
