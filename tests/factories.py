import factory
from django.db import models
from django.utils import timezone

from accounts.models import Author, User
from articles.models import Article, ArticleAuthor, Category
from comments.models import Comment
from demo.builders import byline_rows
from polls.models import Poll, PollChoice, PollVote
from ratings.models import Rating
from votes.models import Vote

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author Number{n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    job_title = "Reporter"
    bio = "Writes about things that matter."


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Story number {n} about the council budget")
    slug = factory.Sequence(lambda n: f"story-{n}")
    standfirst = "A short summary of what happened and why it matters."
    body = "<p>The first paragraph.</p><p>The second paragraph.</p>"
    category = factory.SubFactory(CategoryFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))

    @factory.post_generation
    def authors(obj, create, extracted, **kwargs):
        if not create:
            return
        ArticleAuthor.objects.bulk_create(byline_rows(obj, extracted or []))


class CountedFactory(factory.django.DjangoModelFactory):
    """A row that a denormalised counter counts: `count(row)` moves the counter after the
    row is made, as the row's service would."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        cls.count(row)
        return row

    @staticmethod
    def count(row) -> None:
        raise NotImplementedError


class CommentFactory(CountedFactory):
    """An approved comment; the article's comment_count is kept right as the services would."""

    class Meta:
        model = "comments.Comment"

    article = factory.SubFactory(ArticleFactory)
    user = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}: a considered opinion.")
    status = "approved"

    @staticmethod
    def count(comment) -> None:
        if comment.is_counted:
            Article.objects.filter(pk=comment.article_id).update(
                comment_count=models.F("comment_count") + 1
            )


class VoteFactory(CountedFactory):
    """An up vote on a comment; the comment's score moves as comment_vote_cast would."""

    class Meta:
        model = Vote

    comment = factory.SubFactory(CommentFactory)
    user = factory.SubFactory(UserFactory)
    value = 1

    @staticmethod
    def count(vote) -> None:
        Comment.objects.filter(pk=vote.comment_id).update(score=models.F("score") + vote.value)


class RatingFactory(CountedFactory):
    """A signed-in reader's rating; the article's counters move as rating_set would.

    An anonymous reader's: `RatingFactory(user=None, browser_key="...")`.
    """

    class Meta:
        model = Rating

    article = factory.SubFactory(ArticleFactory)
    user = factory.SubFactory(UserFactory)
    stars = 4

    @staticmethod
    def count(rating) -> None:
        Article.objects.filter(pk=rating.article_id).update(
            rating_count=models.F("rating_count") + 1,
            rating_sum=models.F("rating_sum") + rating.stars,
        )


class PollFactory(factory.django.DjangoModelFactory):
    """An open poll; `PollFactory(answers=["Yes", "No"])` gives it answers in that order."""

    class Meta:
        model = Poll
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    question = factory.Sequence(lambda n: f"Question number {n}: should the council act?")

    @factory.post_generation
    def answers(obj, create, extracted, **kwargs):
        if not create:
            return
        for position, text in enumerate(extracted or []):
            PollChoiceFactory(poll=obj, text=text, position=position)


class PollChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PollChoice

    poll = factory.SubFactory(PollFactory)
    text = factory.Sequence(lambda n: f"Answer {n}")
    position = 0


class PollVoteFactory(CountedFactory):
    """A reader's vote for `choice` (in its poll); the choice's count moves as
    poll_vote_cast would."""

    class Meta:
        model = PollVote

    choice = factory.SubFactory(PollChoiceFactory)
    poll = factory.SelfAttribute("choice.poll")
    user = factory.SubFactory(UserFactory)

    @staticmethod
    def count(vote) -> None:
        PollChoice.objects.filter(pk=vote.choice_id).update(vote_count=models.F("vote_count") + 1)
