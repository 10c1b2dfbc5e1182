"""Headline and standfirst words also go into the vector unstemmed, for prefix matching.

Stems are not prefixes of what a reader types: "electio" is on its way to "election", whose
stem is "elect". With the plain (unaccented, unstemmed) words at weight D as well, the word
being typed matches as a prefix of the words themselves.
"""

from django.db import migrations

CONFIGURATION_SQL = """
CREATE TEXT SEARCH CONFIGURATION newsportal_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION newsportal_simple
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
"""
DROP_CONFIGURATION_SQL = "DROP TEXT SEARCH CONFIGURATION IF EXISTS newsportal_simple;"

FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('newsportal_search', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('newsportal_search', coalesce(NEW.standfirst, '')), 'B')
        || setweight(to_tsvector('newsportal_search', regexp_replace(
               coalesce(NEW.body, ''), '<[^>]*>|&#?[[:alnum:]]+;', ' ', 'g')), 'C')
        || setweight(to_tsvector('newsportal_simple',
               coalesce(NEW.title, '') || ' ' || coalesce(NEW.standfirst, '')), 'D');
    RETURN NEW;
END
$$;
UPDATE articles_article SET search_vector = NULL;
"""

PREVIOUS_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('newsportal_search', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('newsportal_search', coalesce(NEW.standfirst, '')), 'B')
        || setweight(to_tsvector('newsportal_search', regexp_replace(
               coalesce(NEW.body, ''), '<[^>]*>|&#?[[:alnum:]]+;', ' ', 'g')), 'C');
    RETURN NEW;
END
$$;
UPDATE articles_article SET search_vector = NULL;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_article_image_field_validated"),
    ]

    operations = [
        # Rewrites every article: on a large site this outlasts the app's statement_timeout.
        migrations.RunSQL("SET LOCAL statement_timeout = 0", migrations.RunSQL.noop),
        migrations.RunSQL(CONFIGURATION_SQL, DROP_CONFIGURATION_SQL),
        migrations.RunSQL(FUNCTION_SQL, PREVIOUS_FUNCTION_SQL),
    ]
