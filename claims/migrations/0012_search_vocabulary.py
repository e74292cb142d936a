"""Search on PostgreSQL: the vocabulary of the search documents, for respellings.

``claims_searchword`` holds every word (lexeme of ``vector``) some document has had, with a trigram
index: ``claims.search`` looks a query word's respellings up there (a few thousand words, not a million
documents), then finds the documents holding them through the full-text index. Triggers on the documents
keep it filled, whatever writes them (``index_claims``, an import's bulk insert, ``reindex_search``). A
word no document holds any more stays: it only costs an index probe that finds nothing. No unique
constraint: two transactions adding the same new word would otherwise wait on each other until commit
(a long import would hold every editor's save); a duplicate row is harmless (lookups are DISTINCT).

The trigram index over every document's keys (0007), which the search no longer reads, is dropped.
The model does not declare the table: only ``claims.search`` reads it, in SQL. SQLite needs none of it.
"""

from django.db import migrations

ADD_WORDS = """
CREATE FUNCTION claims_searchword_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO claims_searchword (word)
    SELECT DISTINCT lexeme FROM new_documents, unnest(tsvector_to_array(new_documents.vector)) AS lexeme
    WHERE NOT EXISTS (SELECT 1 FROM claims_searchword s WHERE s.word = lexeme);
    RETURN NULL;
END
$$
"""


def create_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE TABLE claims_searchword (word text NOT NULL)")
    schema_editor.execute(
        "INSERT INTO claims_searchword (word) "
        "SELECT DISTINCT unnest(tsvector_to_array(vector)) FROM claims_searchdocument"
    )
    schema_editor.execute("CREATE INDEX claims_searchword_word ON claims_searchword (word)")
    schema_editor.execute("CREATE INDEX claims_searchword_trgm ON claims_searchword USING gin (word gin_trgm_ops)")
    schema_editor.execute(ADD_WORDS)
    for event in ("INSERT", "UPDATE"):  # a trigger with a transition table has one event
        schema_editor.execute(
            f"CREATE TRIGGER claims_searchword_on_{event.lower()} AFTER {event} ON claims_searchdocument "
            "REFERENCING NEW TABLE AS new_documents FOR EACH STATEMENT EXECUTE FUNCTION claims_searchword_add()"
        )
    schema_editor.execute("DROP INDEX IF EXISTS claims_search_trgm")
    schema_editor.execute("ANALYZE claims_searchword")


def drop_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS claims_searchword_on_insert ON claims_searchdocument")
    schema_editor.execute("DROP TRIGGER IF EXISTS claims_searchword_on_update ON claims_searchdocument")
    schema_editor.execute("DROP FUNCTION IF EXISTS claims_searchword_add()")
    schema_editor.execute("DROP TABLE IF EXISTS claims_searchword")
    schema_editor.execute("CREATE INDEX claims_search_trgm ON claims_searchdocument USING gin (all_key gin_trgm_ops)")


class Migration(migrations.Migration):
    dependencies = [("claims", "0011_ingestion_roles")]

    operations = [
        migrations.RunPython(create_vocabulary, drop_vocabulary),
    ]
