"""Search on PostgreSQL: documents stay in the table's own pages up to 8 kB instead of 2 kB.

PostgreSQL moves a row's largest values to its TOAST table once the row passes 2 kB (its default
``toast_tuple_target``). A document holds its texts, keys and three tsvectors: at a million generated
claims 43 % of the rows passed 2 kB, and those are the ones a search finds (more words, more matches:
92 % of the 3,442 documents matching ``chiếm được sân bay`` among the newest). Ranking reads ``vector``
and ``sound_vector`` once per query word, and every read of a moved value went to the TOAST table:
scoring those 3,442 documents took 20 ms, 6 ms once they were in the row. ``toast_tuple_target``
8160 (the most PostgreSQL allows) keeps a row whole up to a page; a longer one is still moved, as before.

Rows already written keep their layout until they are written again: ``manage.py reindex_search``
rewrites every document (or ``VACUUM FULL claims_searchdocument``, which locks the table: 34 s at a
million documents). The table is about a tenth larger in all (2,128 MB against 1,574 + 395 of TOAST).

SQLite has no such setting.
"""

from django.db import migrations

INLINE = "ALTER TABLE claims_searchdocument SET (toast_tuple_target = 8160)"
DEFAULT = "ALTER TABLE claims_searchdocument RESET (toast_tuple_target)"


def keep_inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INLINE)


def back_to_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DEFAULT)


class Migration(migrations.Migration):
    dependencies = [("claims", "0018_search_vocabulary_replanned")]

    operations = [migrations.RunPython(keep_inline, back_to_default, elidable=False)]
