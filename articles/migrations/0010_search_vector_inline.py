"""Keep each article's search vector in the table row, uncompressed, for fast ranking.

A search ranks every match with ts_rank, which reads each matching vector. Stored the
default way (EXTENDED), a vector of a thousand-odd bytes went out of line into the TOAST
table, so ranking 3,000 matches read about 10,000 extra pages: half of the search's time.
With STORAGE MAIN the vector stays in the row and the body goes out of line instead.
SET STORAGE only applies to values written afterwards, so every vector is rewritten (the
trigger from 0005_search recomputes it); the rewrite leaves a dead copy of every row,
so the table is vacuumed (outside a transaction, hence atomic = False) and analyzed
right away rather than whenever autovacuum (if it is on) gets to it.
"""

from django.db import migrations

FORWARD_SQL = """
ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE MAIN;
UPDATE articles_article SET search_vector = NULL;
"""
BACKWARD_SQL = """
ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE EXTENDED;
UPDATE articles_article SET search_vector = NULL;
"""


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("articles", "0009_article_status_day_index"),
    ]

    operations = [
        # Rewrites every article: on a large site this outlasts the app's statement_timeout.
        migrations.RunSQL("SET statement_timeout = 0", "RESET statement_timeout"),
        migrations.RunSQL(FORWARD_SQL, BACKWARD_SQL),
        migrations.RunSQL("VACUUM ANALYZE articles_article", "VACUUM ANALYZE articles_article"),
        migrations.RunSQL("RESET statement_timeout", "SET statement_timeout = 0"),
    ]
