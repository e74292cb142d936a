"""Search on PostgreSQL: a full-text index of the newest documents only (``claims_search_recent``).

Evaluating a query of common words over the whole ``terms`` index costs 20-30 ms at a million documents,
however few of them are asked for, and the search asked band after band of ids for the newest matches:
up to five such evaluations. The newest documents' own index answers a common word in a few
milliseconds (``claims.search``). A partial index on ``(claim_id + 0) > threshold``: the ``+ 0`` keeps
the planner from the primary key, whose range would take it back to the whole index. The threshold
moves up with the archive (``claims.search.refresh_recent_index``, hourly from Celery beat, and from the
generator); here it starts at the newest 40,000 documents (all of them on a new database). Statistics on
``claim_id + 0`` tell the planner how many documents are above it. Needs PostgreSQL 14 or later. On an
existing archive it reads the documents table once and holds its writes meanwhile (seconds at a million
documents: the 40,000-document index took 2.6 s to build there, the ANALYZE about as long).

SQLite has no such index.
"""

from django.db import migrations

RECENT_DOCUMENTS = 40_000


def create_recent_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(claim_id), 0) FROM claims_searchdocument")
        threshold = max(0, int(cursor.fetchone()[0]) - RECENT_DOCUMENTS)
    schema_editor.execute(
        "CREATE INDEX claims_search_recent ON claims_searchdocument USING gin (terms) "
        f"WITH (gin_pending_list_limit = 256) WHERE (claim_id + 0) > {threshold}"
    )
    # Without statistics of its own, the planner counts a third of the documents above any threshold
    # and joins them to every claim by a scan of the claims table (140 ms instead of 8 at a million).
    schema_editor.execute("CREATE STATISTICS claims_search_recent_id ON (claim_id + 0) FROM claims_searchdocument")
    schema_editor.execute("ANALYZE claims_searchdocument")


def drop_recent_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS claims_search_recent_id")
    schema_editor.execute("DROP INDEX IF EXISTS claims_search_recent")


class Migration(migrations.Migration):
    dependencies = [("claims", "0016_gin_pending_list_limit")]

    operations = [
        migrations.RunPython(create_recent_index, drop_recent_index),
    ]
