"""Search on PostgreSQL: a document's ``terms`` also hold its claim's facets, language and claimant.

A search within a filter that keeps few claims (one claimant's, one language's) read the matches of every
claim through the index and left the filter to drop them: at 1,000,000 claims, ``Libya`` among one
claimant's 14,000 claims read tens of thousands of documents (about a second; bench/README.md). The
facets (``facets``: ``1lvi 1c42``, ``claims.search.document_facets``) are lexemes of ``terms``, so that
the index answers the filter's share of the condition itself: GIN walks the rarer entries.

``terms`` is generated: a new expression means dropping and re-adding the column (PostgreSQL 15 cannot
change it in place): two passes over the table (the facets filled in, then ``terms`` computed) and the
indexes on it built again, each as it was (the whole index, the recent one and the bands, with their
options), in one transaction that locks the table: 2 min 11 s at 1,000,000 claims. The facets are filled
in from the claims with the vocabulary's update trigger off (they add no word) and before ``terms`` is
back (no full-text index to update). Going back re-adds ``terms`` without the facets. The previous
release's processes write documents without facets, which the database refuses: stop them first.

SQLite: only the new column (its search is in Python).
"""

from django.db import migrations, models

#: ``terms`` as migration 0015 made it.
WORDS = (
    "setweight(to_tsvector('simple'::regconfig, text_key), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, names_key), 'B')"
    " || to_tsvector('simple'::regconfig, regexp_replace(sound_key, '([a-z]+)', '0\\1', 'g'))"
)
#: And the facets, unweighted (D, as the sound keys; the vocabulary takes only A and B).
TERMS = f"{WORDS} || to_tsvector('simple'::regconfig, facets)"

#: ``claims.search.document_facets`` in SQL, over a claim row ``c`` (tested to agree).
FACETS_SQL = (
    "'1l' || regexp_replace(lower(c.language), '[^a-z0-9]', '', 'g') || COALESCE(' 1c' || c.claimant_id::text, '')"
)

#: ``terms``' statistics target, as migration 0021 set it.
TERMS_STATISTICS = 400


def _rebuild_terms(schema_editor, expression, fill_facets=False):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = 'claims_searchdocument'::regclass AND a.attname = 'terms' ORDER BY 1"
        )
        indexes = [row[0] for row in cursor.fetchall()]
    schema_editor.execute("ALTER TABLE claims_searchdocument DROP COLUMN terms")  # and its indexes
    if fill_facets:  # without the full-text indexes to update; the trigger reads ``terms``
        schema_editor.execute("ALTER TABLE claims_searchdocument DISABLE TRIGGER claims_searchword_on_update")
        schema_editor.execute(
            f"UPDATE claims_searchdocument d SET facets = {FACETS_SQL} FROM claims_claim c WHERE c.id = d.claim_id"
        )
        schema_editor.execute("ALTER TABLE claims_searchdocument ENABLE TRIGGER claims_searchword_on_update")
    schema_editor.execute(
        f"ALTER TABLE claims_searchdocument ADD COLUMN terms tsvector GENERATED ALWAYS AS ({expression}) STORED"
    )
    schema_editor.execute(f"ALTER TABLE claims_searchdocument ALTER COLUMN terms SET STATISTICS {TERMS_STATISTICS}")
    for definition in indexes:
        schema_editor.execute(definition)
    schema_editor.execute("ANALYZE claims_searchdocument")


def add_facets(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _rebuild_terms(schema_editor, TERMS, fill_facets=True)


def drop_facets(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _rebuild_terms(schema_editor, WORDS)


class Migration(migrations.Migration):
    dependencies = [("claims", "0021_search_drop_vector_columns")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="facets",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(add_facets, drop_facets, elidable=False),
    ]
