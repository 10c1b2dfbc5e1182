"""`{% piece %}` and fragment(): the values a piece shows are its key, exactly."""

import datetime

import pytest
from django.core.cache import caches
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.test import override_settings
from django.utils import translation

from core.fragments import exact_key, fragment


@pytest.fixture(autouse=True)
def _fresh_fragments():
    caches["template_fragments"].clear()
    yield
    caches["template_fragments"].clear()


class Named:
    """Like a model instance: equal to another with the same id, whatever its name."""

    def __init__(self, pk, name):
        self.pk, self.name = pk, name

    def __eq__(self, other):
        return isinstance(other, Named) and other.pk == self.pk

    def __hash__(self):
        return hash(self.pk)

    def __str__(self):
        return self.name

    def __repr__(self):  # as Model.__repr__: in a list, a value's text shows its name
        return f"<Named: {self.name}>"


def counted(texts):
    def render():
        texts.append(f"render {len(texts) + 1}")
        return texts[-1]

    return render


def test_the_same_values_are_rendered_once():
    texts = []
    assert fragment("story", [1, "2026-12-03T10:00"], counted(texts)) == "render 1"
    assert fragment("story", (1, "2026-12-03T10:00"), counted(texts)) == "render 1"
    assert fragment("story", [1, "2026-12-03T10:01"], counted(texts)) == "render 2"
    assert fragment("other", [1, "2026-12-03T10:00"], counted(texts)) == "render 3"


def test_true_and_one_are_different_keys():
    texts = []
    fragment("beacon", [7, True], counted(texts))
    assert fragment("beacon", [7, 1], counted(texts)) == "render 2"
    assert fragment("beacon", [7, False], counted(texts)) == "render 3"
    assert fragment("beacon", [7, 0], counted(texts)) == "render 4"


def test_an_object_is_keyed_by_its_text_not_its_equality():
    # A renamed section equals its old self (same id): its key must change all the same.
    texts = []
    fragment("menu", [[Named(1, "World")]], counted(texts))
    assert fragment("menu", [[Named(1, "World news")]], counted(texts)) == "render 2"


def test_a_key_is_the_text_of_its_values():
    rows = [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": []}]
    key = exact_key("cards", [rows, datetime.date(2026, 12, 3), "x"])
    hash(key)
    assert key == ("cards", translation.get_language(), str(rows), "2026-12-03", "x")


def test_the_language_is_part_of_the_key():
    texts = []
    fragment("masthead", [], counted(texts))
    with translation.override("de"):
        assert fragment("masthead", [], counted(texts)) == "render 2"


def test_a_template_piece_renders_once_per_value():
    template = Template(
        "{% load pieces %}{% piece greeting name %}Hello {{ name }} {{ n }}{% endpiece %}"
    )
    assert template.render(Context({"name": "Ada", "n": 1})) == "Hello Ada 1"
    assert template.render(Context({"name": "Ada", "n": 2})) == "Hello Ada 1"  # n is not a key
    assert template.render(Context({"name": "Bo", "n": 3})) == "Hello Bo 3"


def test_a_piece_needs_a_name():
    with pytest.raises(TemplateSyntaxError, match="takes a name"):
        Template("{% load pieces %}{% piece %}x{% endpiece %}")


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)
def test_another_cache_keeps_pieces_under_hashed_keys():
    # A deployment's own CACHES without "template_fragments": the default cache, string keys.
    caches["default"].clear()
    texts = []
    assert fragment("story", [1, Named(1, "x")], counted(texts)) == "render 1"
    assert fragment("story", [1, Named(1, "x")], counted(texts)) == "render 1"
    assert fragment("story", [1, Named(1, "y")], counted(texts)) == "render 2"
    assert all(isinstance(key, str) for key in caches["default"]._cache)


LANGUAGE_SHOWN = "{% piece lang %}{% get_current_language as code %}{{ code }}{% endpiece %}"


def test_a_template_piece_is_kept_per_language_in_and_out_of_a_language_block():
    # The language is read once per template, except inside {% language %}.
    template = Template(
        "{% load pieces i18n %}" + LANGUAGE_SHOWN + "|"
        '{% language "de" %}' + LANGUAGE_SHOWN + "{% endlanguage %}|" + LANGUAGE_SHOWN
    )
    with translation.override("en-gb"):
        assert template.render(Context()) == "en-gb|de|en-gb"
    with translation.override("de"):
        assert template.render(Context()) == "de|de|de"


def test_an_included_template_reads_the_language_it_is_rendered_in():
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", {"shown.html": LANGUAGE_SHOWN})],
        libraries={"pieces": "core.templatetags.pieces", "i18n": "django.templatetags.i18n"},
        builtins=["django.templatetags.i18n", "core.templatetags.pieces"],
    )
    page = engine.from_string(
        '{% include "shown.html" %}|{% language "de" %}{% include "shown.html" %}{% endlanguage %}'
    )
    with translation.override("en-gb"):
        assert page.render(Context()) == "en-gb|de"
