"""Search on PostgreSQL: no index of their own on ``vector`` and ``sound_vector``.

Since migration 0015 the search asks ``terms`` (a document's words and its sound keys, the keys after a
``0``) through its index; the duplicate finder still asked ``vector`` OR ``sound_vector`` through the two
indexes of migration 0008. It asks ``terms`` now as well (the same documents: words as they are, sound keys
after the ``0``), and the two indexes only cost writes: every new or rewritten document went into four GIN
indexes, now into two (``terms`` and, among the newest, ``claims_search_recent``). The columns stay: the
duplicate finder ranks with them, the search scores spellings on ``vector``.

Dropped ``CONCURRENTLY`` (outside a transaction), so that no search waits on the table's lock.

Measured (bench/README.md): a 5,000-review import at 100,000 claims, and the duplicate finder's p95 at
1,000,000, before and after.

SQLite has no such index.
"""

from django.db import migrations

INDEXES = {"claims_search_vector": "vector", "claims_search_sound": "sound_vector"}


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index}")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON claims_searchdocument USING gin ({column})"
            " WITH (gin_pending_list_limit = 256)"
        )


class Migration(migrations.Migration):
    # CONCURRENTLY: searches and writes go on while the indexes go (or come back).
    atomic = False
    dependencies = [("claims", "0019_search_documents_inline")]

    operations = [migrations.RunPython(drop_indexes, create_indexes, elidable=False)]
