"""Search on PostgreSQL: pg_trgm, and GIN indexes over the ASCII keys of the search documents.

The full-text index is on the exact expression ``claims.search`` queries (the ``simple`` configuration,
with the claim's texts weighted above its names); the trigram index serves ``%>`` (a respelled word).
Both read only ASCII keys, so they mean the same under any database ``LC_CTYPE``. SQLite needs neither.
Migration 0008 (re)builds every claim's document.
"""

from django.db import migrations

TSVECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, text_key), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, names_key), 'B'))"
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX claims_search_fts ON claims_searchdocument USING gin ({TSVECTOR})")
    schema_editor.execute("CREATE INDEX claims_search_trgm ON claims_searchdocument USING gin (all_key gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS claims_search_fts")
    schema_editor.execute("DROP INDEX IF EXISTS claims_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_search_documents"), ("sources", "0001_outlets_sources_actors_places")]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
