"""Search on PostgreSQL: ``terms``, the words of a search document and its sound keys in one column.

A query word matches a document by one of its spellings (``vector``) or by its sound key
(``sound_vector``); the search asks for sets of such words. As conditions on two columns, the planner
checked only part of them in the indexes (one sound key, say) and read tens of thousands of documents
to reject them: seconds at a million claims. ``terms`` holds both, the sound keys written with a leading
``0`` (``0kdf``; a key word like ``0km`` could meet one, which only adds a candidate that the share
then rejects), so that the whole condition is one full-text query, answered
exactly by one GIN index. Generated, as the other two: whatever writes the documents keeps it right.

Adding it rewrites the table (about a minute a million documents here) and builds the index.
SQLite needs none of it.
"""

from django.db import migrations

TERMS = (
    "setweight(to_tsvector('simple'::regconfig, text_key), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, names_key), 'B')"
    " || to_tsvector('simple'::regconfig, regexp_replace(sound_key, '([a-z]+)', '0\\1', 'g'))"
)


def add_terms(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE claims_searchdocument ADD COLUMN terms tsvector GENERATED ALWAYS AS ({TERMS}) STORED"
    )
    schema_editor.execute("CREATE INDEX claims_search_terms ON claims_searchdocument USING gin (terms)")
    schema_editor.execute("ANALYZE claims_searchdocument")


def drop_terms(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE claims_searchdocument DROP COLUMN terms")


class Migration(migrations.Migration):
    dependencies = [("claims", "0014_notification_outbox")]

    operations = [
        migrations.RunPython(add_terms, drop_terms),
    ]
