"""Search on PostgreSQL: a document's words in one tsvector, ``terms``; ``vector`` and ``sound_vector`` go.

``terms`` (migration 0015) holds everything the two older columns held: the key words with their weights
and positions (``A`` for the wording and translations, ``B`` for names, as in ``vector``) and the sound keys
after a ``0`` (weight ``D``, as in ``sound_vector``), placed after the words. Matching, phrase matching and
``ts_rank`` of plain words give the same answers on ``terms`` as on ``vector`` (ranking ignores the
lexemes a query does not name, and the words keep their positions), and of ``0``-keys as on
``sound_vector``. The search and the duplicate finder ask ``terms`` only now. One case differs: a word
spelled like a sound key (``0km``) and the key itself (``km``, of "comma") are one lexeme of ``terms``.
The search's scoring asks words with their weights (``:AB``) and sound keys with theirs (``:D``), so
neither scores as the other, and a document the index found by such a lexeme alone scores 0 and is left
out (it was found, and kept by a short query, since migration 0015); the duplicate finder's ``ts_rank``
ignores weights, and ranks such a document slightly differently (its candidates are then scored on
their keys in Python).

The three generated columns were computed on every write: each parse of ``text_key`` and ``names_key``
done twice, the sound keys twice. PostgreSQL computing ``terms`` alone took 587 ms for 20,000 generated
documents, all three 1,141 ms. At 1,000,000 generated claims the table takes 1,455 MB instead of 1,953.

The duplicate finder chose its words and sound keys by the planner's statistics of ``vector`` and of
``sound_vector``; it reads those of ``terms`` now, which counts both in one list of most common elements.
At the default statistics target that list (1,000 elements) left out words the other two had counted, and
probes fell back to the slow pairs of common words (350 ms instead of 2). ``terms`` gets a target of 400:
its ANALYZE reads 120,000 rows instead of 30,000 (2.0 s instead of 0.4 at 1,000,000 claims); run here
once, so that the finder has the statistics at once.

The vocabulary (``claims_searchword``, migration 0012) takes the words of ``terms`` weighted ``A`` or ``B``
(``ts_filter``: exactly ``vector``'s words, checked on 20,000 generated documents), never the sound keys.
The statement counts distinct words before looking them up in the vocabulary.

Not atomic: each statement commits on its own, so the exclusive lock ``DROP COLUMN`` takes (briefly: the
table is not rewritten) is not held through the ANALYZE; every statement can run again (``IF EXISTS``,
``CREATE OR REPLACE``) if the migration is interrupted. Processes of the previous release ask ``vector``:
migrate with the new release's processes, not under the old ones. The space of the dropped columns is
reused as documents are rewritten (``reindex_search``), and given back to the system by ``VACUUM FULL
claims_searchdocument``, which locks the table while it runs (28 s at 1,000,000 claims). Going back
re-adds and computes both columns (a rewrite of the table) and analyzes it.

SQLite has none of these columns.
"""

from django.db import migrations

#: ``terms``' statistics target (PostgreSQL's default: 100): most common elements kept, over ten.
TERMS_STATISTICS = 400

VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, text_key), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, names_key), 'B')"
)

FROM_TERMS = """
CREATE OR REPLACE FUNCTION claims_searchword_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'INSERT INTO claims_searchword (word) '
        'SELECT n.word FROM (SELECT DISTINCT lexeme AS word FROM new_documents, '
        'unnest(tsvector_to_array(ts_filter(new_documents.terms, ''{a,b}''))) AS lexeme) n '
        'WHERE NOT EXISTS (SELECT 1 FROM claims_searchword s WHERE s.word = n.word)';
    RETURN NULL;
END
$$
"""

# As migration 0018 left it.
FROM_VECTOR = """
CREATE OR REPLACE FUNCTION claims_searchword_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'INSERT INTO claims_searchword (word) '
        'SELECT DISTINCT lexeme FROM new_documents, unnest(tsvector_to_array(new_documents.vector)) AS lexeme '
        'WHERE NOT EXISTS (SELECT 1 FROM claims_searchword s WHERE s.word = lexeme)';
    RETURN NULL;
END
$$
"""


def drop_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FROM_TERMS)
    schema_editor.execute("ALTER TABLE claims_searchdocument DROP COLUMN IF EXISTS vector")
    schema_editor.execute("ALTER TABLE claims_searchdocument DROP COLUMN IF EXISTS sound_vector")
    schema_editor.execute(f"ALTER TABLE claims_searchdocument ALTER COLUMN terms SET STATISTICS {TERMS_STATISTICS}")
    schema_editor.execute("ANALYZE claims_searchdocument")


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE claims_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED, "
        "ADD COLUMN sound_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, sound_key)) STORED"
    )
    schema_editor.execute(FROM_VECTOR)
    schema_editor.execute("ALTER TABLE claims_searchdocument ALTER COLUMN terms SET STATISTICS -1")
    schema_editor.execute("ANALYZE claims_searchdocument")


class Migration(migrations.Migration):
    # Each statement in its own transaction: the table's exclusive lock is not held through the ANALYZE.
    atomic = False
    dependencies = [("claims", "0020_search_drop_vector_sound_indexes")]

    operations = [migrations.RunPython(drop_columns, add_columns, elidable=False)]
