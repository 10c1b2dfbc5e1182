import factory
from django.db import models
from django.utils import timezone

from accounts.models import Author, User
from articles.models import Article, ArticleAuthor, Category
from demo.builders import byline_rows

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


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved comment; the article's comment_count is kept right as the services would."""

    class Meta:
        model = "comments.Comment"

    article = factory.SubFactory(ArticleFactory)
    user = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}: a considered opinion.")
    status = "approved"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        comment = super()._create(model_class, *args, **kwargs)
        if comment.is_counted:
            Article.objects.filter(pk=comment.article_id).update(
                comment_count=models.F("comment_count") + 1
            )
        return comment
