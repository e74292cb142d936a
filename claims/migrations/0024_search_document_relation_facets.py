"""Search on PostgreSQL: a document's facets also hold the outlets and sources its claim appeared in and the
actors it mentions (``1o3 1s35 1m6``).

A search within one outlet, one source or one mentioned actor (the API's ``outlet=``, ``source=`` and
``mentions=``, the public list's "Appeared in") read the matches of every claim through the index, band
after band, and left the filter to drop the others': at 1,000,000 claims, p95 1.2 s within an outlet,
1.4 s within an actor's mentions, 1.3 s within a source (bench/README.md). With them among the facets,
the index answers that share of the condition itself, as it does for a language, a claimant or a rating
since migrations 0022 and 0023.

The facets are filled in again from the claims and their verdicts, appearances, sources and mentions, as
migration 0023 filled them in: ``terms`` is generated from ``facets``, so it is dropped (with its
indexes), the facets are written with the vocabulary's update trigger off and no full-text index to update,
and ``terms`` is added back with every index it had, as it was, in one transaction that locks the table.
Going back fills them in as migration 0023 did. The previous release's processes write documents without
these facets, which a search within an outlet, a source or an actor would then miss: stop them first.

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

#: The facets as migration 0023 wrote them, over a claim row ``c`` and its verdict's row ``v``.
AS_IN_0023 = (
    "'1l' || regexp_replace(lower(c.language), '[^a-z0-9]', '', 'g') || COALESCE(' 1c' || c.claimant_id::text, '')"
    " || COALESCE(' 1r' || v.rating_id::text, '')"
)
#: ``claims.search.document_facets`` in SQL, over those rows and the claim's outlets', sources' and
#: mentioned actors' facets ``fo``, ``fs`` and ``fm`` (tested to agree, and to be ``claims.search.FACETS_SQL``
#: and ``FACETS_FROM``).
FACETS_SQL = f"{AS_IN_0023} || COALESCE(fo.facets, '') || COALESCE(fs.facets, '') || COALESCE(fm.facets, '')"
FACETS_FROM = (
    "claims_claim c LEFT JOIN claims_verdict v ON v.claim_id = c.id"
    " LEFT JOIN (SELECT claim_id, string_agg(' 1o' || outlet_id::text, '' ORDER BY outlet_id) AS facets"
    " FROM (SELECT DISTINCT a.claim_id, s.outlet_id FROM claims_appearance a"
    " JOIN sources_source s ON s.id = a.source_id WHERE s.outlet_id IS NOT NULL) o GROUP BY claim_id) fo"
    " ON fo.claim_id = c.id"
    " LEFT JOIN (SELECT claim_id, string_agg(' 1s' || source_id::text, '' ORDER BY source_id) AS facets"
    " FROM (SELECT DISTINCT claim_id, source_id FROM claims_appearance) a GROUP BY claim_id) fs"
    " ON fs.claim_id = c.id"
    " LEFT JOIN (SELECT claim_id, string_agg(' 1m' || actor_id::text, '' ORDER BY actor_id) AS facets"
    " FROM claims_claim_mentions GROUP BY claim_id) fm ON fm.claim_id = c.id"
)
AS_IN_0023_FROM = "claims_claim c LEFT JOIN claims_verdict v ON v.claim_id = c.id"

#: ``terms``' statistics target, as migration 0021 set it.
TERMS_STATISTICS = 400


def _refill_facets(schema_editor, facets_sql, facets_from):
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
        f"UPDATE claims_searchdocument d SET facets = {facets_sql} FROM {facets_from} WHERE c.id = d.claim_id"
    )
    schema_editor.execute("ALTER TABLE claims_searchdocument ENABLE TRIGGER claims_searchword_on_update")
    schema_editor.execute(
        f"ALTER TABLE claims_searchdocument ADD COLUMN terms tsvector GENERATED ALWAYS AS ({TERMS}) STORED"
    )
    schema_editor.execute(f"ALTER TABLE claims_searchdocument ALTER COLUMN terms SET STATISTICS {TERMS_STATISTICS}")
    for definition in indexes:
        schema_editor.execute(definition)
    schema_editor.execute("ANALYZE claims_searchdocument")


def add_relations(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _refill_facets(schema_editor, FACETS_SQL, FACETS_FROM)


def drop_relations(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _refill_facets(schema_editor, AS_IN_0023, AS_IN_0023_FROM)


class Migration(migrations.Migration):
    dependencies = [("claims", "0023_search_document_rating_facet")]

    operations = [migrations.RunPython(add_relations, drop_relations, elidable=False)]
