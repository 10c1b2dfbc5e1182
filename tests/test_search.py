import pytest

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_database_keeps_the_search_vector_up_to_date(section):
    story = ArticleFactory(
        title="Café opens", body="<p>Espresso <b>machines</b> &amp; more</p>", category=section
    )

    vector = Article.objects.values_list("search_vector", flat=True).get(pk=story.pk)
    assert "'cafe':1A" in vector
    assert "'machin':" in vector
    assert "amp" not in vector and "'b'" not in vector

    Article.objects.filter(pk=story.pk).update(title="Bakery opens")
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=story.pk)
    assert "'bakeri':1A" in vector
    assert "cafe" not in vector
