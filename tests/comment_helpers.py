"""What the comment test modules share."""

from django.urls import reverse

from comments.models import Comment

HTMX = {"HTTP_HX_REQUEST": "true"}


def post_comment(client, article, body="A perfectly ordinary comment.", **data):
    url = reverse("comments:create", kwargs={"article_id": article.pk})
    extra = data.pop("headers", {})
    return client.post(url, {"body": body, **data}, **extra)


def counted(article) -> int:
    return Comment.objects.counted().filter(article=article).count()
