"""Full-text search: extensions, an accent-blind configuration, and a vector kept by a trigger.

The vector is computed by PostgreSQL itself, so bulk imports, raw updates and the admin all
keep it right without any Python code remembering to do it.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

# "english" with unaccent in front of the stemmer: café and cafe give the same lexeme.
CONFIGURATION_SQL = """
CREATE TEXT SEARCH CONFIGURATION newsportal_search (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION newsportal_search
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
"""
DROP_CONFIGURATION_SQL = "DROP TEXT SEARCH CONFIGURATION IF EXISTS newsportal_search;"

# Weighted: headline (A) > standfirst (B) > body (C), the body without its tags and entities.
TRIGGER_SQL = r"""
CREATE FUNCTION articles_article_search_vector() RETURNS trigger
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

CREATE TRIGGER articles_article_search_vector
BEFORE INSERT OR UPDATE OF title, standfirst, body, search_vector ON articles_article
FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();

-- Fill in existing rows: the trigger fires on this update.
UPDATE articles_article SET search_vector = NULL;
"""
DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_vector();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_view_buffer"),
    ]

    operations = [
        # Rewrites every article: on a large site this outlasts the app's statement_timeout.
        migrations.RunSQL("SET LOCAL statement_timeout = 0", migrations.RunSQL.noop),
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(CONFIGURATION_SQL, DROP_CONFIGURATION_SQL),
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunSQL(TRIGGER_SQL, DROP_TRIGGER_SQL),
        migrations.AddIndex(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="article_search_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["title"], name="article_title_trgm_idx", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
