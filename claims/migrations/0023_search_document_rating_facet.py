"""Search on PostgreSQL: a document's facets also hold its claim's verdict's rating (``1r3``).

A search within one rating (the public list's and the API's ``rating=``) read the matches of every claim
through the index and left the filter to drop the others' (at 1,000,000 claims, ``Bo Y te Libya`` within
``false``: 226 ms warm, 2.8 s cold; bench/README.md). With the rating among the facets, the index answers
that share of the condition itself, as it does for a language or a claimant since migration 0022.

The facets are filled in again from the claims and their verdicts, as migration 0022 filled them in:
``terms`` is generated from ``facets``, so it is dropped (with its indexes), the facets are written with
the vocabulary's update trigger off and no full-text index to update, and ``terms`` is added back with
every index it had, as it was, in one transaction that locks the table (1 min 27 s at 1,000,000
claims). Going back fills them in without the rating. The previous release's processes write documents
without the rating, which a search within a rating would then miss: stop them first.

SQLite: nothing (its search is in Python and reads the claims' own rows).
"""

from django.db import migrations

#: ``terms`` as migration 0022 made it (unchanged here).
TERMS = (
    "setweight(to_tsvector('simple'::regconfig, text_key), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, names_key), 'B')"
    " || to_tsvector('simple'::regconfig, regexp_replace(sound_key, '([a-z]+)', '0\\1', 'g'))"
    " || to_tsvector('simple'::regconfig, facets)"
)

#: The facets as migration 0022 wrote them, over a claim row ``c``.
WITHOUT_RATING = (
    "'1l' || regexp_replace(lower(c.language), '[^a-z0-9]', '', 'g') || COALESCE(' 1c' || c.claimant_id::text, '')"
)
#: ``claims.search.document_facets`` in SQL, over a claim row ``c`` and its verdict's row ``v`` (tested to
#: agree, and to be ``claims.search.FACETS_SQL``).
FACETS_SQL = f"{WITHOUT_RATING} || COALESCE(' 1r' || v.rating_id::text, '')"
FACETS_FROM = "claims_claim c LEFT JOIN claims_verdict v ON v.claim_id = c.id"

#: ``terms``' statistics target, as migration 0021 set it.
TERMS_STATISTICS = 400


def _refill_facets(schema_editor, facets_sql):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = 'claims_searchdocument'::regclass AND a.attname = 'terms' ORDER BY 1"
        )
        indexes = [row[0] for row in cursor.fetchall()]
    schema_editor.execute("ALTER TABLE claims_searchdocument DROP COLUMN terms")  # and its indexes
    schema_editor.execute("ALTER TABLE claims_searchdocument DISABLE TRIGGER claims_searchword_on_update")
    schema_editor.execute(
        f"UPDATE claims_searchdocument d SET facets = {facets_sql} FROM {FACETS_FROM} WHERE c.id = d.claim_id"
    )
    schema_editor.execute("ALTER TABLE claims_searchdocument ENABLE TRIGGER claims_searchword_on_update")
    schema_editor.execute(
        f"ALTER TABLE claims_searchdocument ADD COLUMN terms tsvector GENERATED ALWAYS AS ({TERMS}) STORED"
    )
    schema_editor.execute(f"ALTER TABLE claims_searchdocument ALTER COLUMN terms SET STATISTICS {TERMS_STATISTICS}")
    for definition in indexes:
        schema_editor.execute(definition)
    schema_editor.execute("ANALYZE claims_searchdocument")


def add_rating(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _refill_facets(schema_editor, FACETS_SQL)


def drop_rating(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _refill_facets(schema_editor, WITHOUT_RATING)


class Migration(migrations.Migration):
    dependencies = [("claims", "0022_search_document_facets")]

    operations = [migrations.RunPython(add_rating, drop_rating, elidable=False)]
