"""Search on PostgreSQL: the vocabulary trigger plans its statement each time it runs.

``claims_searchword_add`` (0012) ran its ``INSERT … WHERE NOT EXISTS`` as static PL/pgSQL, whose plan a
connection keeps. A connection that first added documents while the vocabulary was nearly empty (a new
database: the generator, the first import, the first saves) kept a nested loop that reads the whole
vocabulary for every word of every new document, and used it for as long as it lived: 8 s to add 10,000
generated documents once the vocabulary held 1,800 words, and every editor's save on that connection
slower as the vocabulary grew. ``EXECUTE`` plans the statement at each run, with the vocabulary's size
and the new documents' count of that moment (planning: well under a millisecond).

SQLite has no vocabulary.
"""

from django.db import migrations

REPLANNED = """
CREATE OR REPLACE FUNCTION claims_searchword_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'INSERT INTO claims_searchword (word) '
        'SELECT DISTINCT lexeme FROM new_documents, unnest(tsvector_to_array(new_documents.vector)) AS lexeme '
        'WHERE NOT EXISTS (SELECT 1 FROM claims_searchword s WHERE s.word = lexeme)';
    RETURN NULL;
END
$$
"""

CACHED = """
CREATE OR REPLACE FUNCTION claims_searchword_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO claims_searchword (word)
    SELECT DISTINCT lexeme FROM new_documents, unnest(tsvector_to_array(new_documents.vector)) AS lexeme
    WHERE NOT EXISTS (SELECT 1 FROM claims_searchword s WHERE s.word = lexeme);
    RETURN NULL;
END
$$
"""


def replan(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REPLANNED)


def cache_plan(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CACHED)


class Migration(migrations.Migration):
    dependencies = [("claims", "0017_recent_search_index")]

    operations = [
        migrations.RunPython(replan, cache_plan),
    ]
