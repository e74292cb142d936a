"""Search on PostgreSQL: the GIN indexes of the search documents keep a short pending list.

A GIN index adds new entries to a pending list (``fastupdate``) that every search reads in full until a
vacuum or the list's limit (``gin_pending_list_limit``, 4 MB by default) merges it into the index. At a
million documents autovacuum waits for 200,000 inserts, so after an import of a few thousand claims the
list stayed full: 313 pages and 5,000 entries in ``claims_search_terms``, read by every search (the
evaluation queries' index time, summed: 1,137 ms with the full list, 751 ms once merged;
bench/README.md). 256 kB merges it every few hundred documents: inserts keep their batching, searches
read at most 32 pages more.

SQLite has no such index.
"""

from django.db import migrations

INDEXES = ("claims_search_terms", "claims_search_vector", "claims_search_sound")
LIMIT_KB = 256


def limit_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = {LIMIT_KB})")
    # What is pending now goes into the index (a no-op on a new database).
    for index in INDEXES:
        schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def reset_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("claims", "0015_search_terms")]

    operations = [
        migrations.RunPython(limit_pending_lists, reset_pending_lists),
    ]
