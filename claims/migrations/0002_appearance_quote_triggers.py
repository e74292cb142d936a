"""Make the database hold what check constraints cannot: quotes match their source, public claims stay.

An appearance's quote must be the source's text at its offsets.

A check constraint cannot look across tables, so triggers do it: on every insert or update of an
appearance, and on every change of a source's text (which must not move quoted characters).
SQLite and PostgreSQL both count ``substr`` offsets in characters, like Python's ``str``.
A published or retracted claim is never deleted (retract it instead): its public page must stay.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS claims_appearance_quote_insert
    BEFORE INSERT ON claims_appearance FOR EACH ROW
    WHEN (SELECT substr(s.text, NEW.start + 1, NEW."end" - NEW.start) FROM sources_source s
          WHERE s.id = NEW.source_id) IS NOT NEW.quote
    BEGIN SELECT RAISE(ABORT, 'appearance quote does not match the source text at its offsets'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS claims_appearance_quote_update
    BEFORE UPDATE OF quote, start, "end", source_id ON claims_appearance FOR EACH ROW
    WHEN (SELECT substr(s.text, NEW.start + 1, NEW."end" - NEW.start) FROM sources_source s
          WHERE s.id = NEW.source_id) IS NOT NEW.quote
    BEGIN SELECT RAISE(ABORT, 'appearance quote does not match the source text at its offsets'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS sources_source_text_keeps_quotes
    BEFORE UPDATE OF text ON sources_source FOR EACH ROW
    WHEN EXISTS (SELECT 1 FROM claims_appearance a WHERE a.source_id = NEW.id
                 AND substr(NEW.text, a.start + 1, a."end" - a.start) IS NOT a.quote)
    BEGIN SELECT RAISE(ABORT, 'source text change would break the quotes of its appearances'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS claims_claim_public_not_deleted
    BEFORE DELETE ON claims_claim FOR EACH ROW WHEN OLD.status IN ('published', 'retracted')
    BEGIN SELECT RAISE(ABORT, 'a published or retracted claim cannot be deleted; retract it instead'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS claims_appearance_quote_insert",
    "DROP TRIGGER IF EXISTS claims_appearance_quote_update",
    "DROP TRIGGER IF EXISTS sources_source_text_keeps_quotes",
    "DROP TRIGGER IF EXISTS claims_claim_public_not_deleted",
]

POSTGRES_CREATE = [
    """
    CREATE OR REPLACE FUNCTION claims_appearance_check_quote() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- FOR SHARE: a concurrent edit of the source's text waits for us (and we for it).
      PERFORM 1 FROM sources_source s
        WHERE s.id = NEW.source_id AND substr(s.text, NEW.start + 1, NEW."end" - NEW.start) = NEW.quote
        FOR SHARE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'appearance quote does not match the text of source % at offsets %-%',
          NEW.source_id, NEW.start, NEW."end" USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER claims_appearance_quote
    BEFORE INSERT OR UPDATE OF quote, start, "end", source_id ON claims_appearance
    FOR EACH ROW EXECUTE FUNCTION claims_appearance_check_quote()
    """,
    """
    CREATE OR REPLACE FUNCTION sources_source_check_quotes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM claims_appearance a WHERE a.source_id = NEW.id
                 AND substr(NEW.text, a.start + 1, a."end" - a.start) IS DISTINCT FROM a.quote) THEN
        RAISE EXCEPTION 'changing the text of source % would break the quotes of its appearances', NEW.id
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER sources_source_text_keeps_quotes
    BEFORE UPDATE OF text ON sources_source
    FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text) EXECUTE FUNCTION sources_source_check_quotes()
    """,
    """
    CREATE OR REPLACE FUNCTION claims_claim_refuse_public_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'claim % is %: a published or retracted claim cannot be deleted; retract it instead',
        OLD.id, OLD.status USING ERRCODE = 'integrity_constraint_violation';
    END $$
    """,
    """
    CREATE TRIGGER claims_claim_public_not_deleted
    BEFORE DELETE ON claims_claim
    FOR EACH ROW WHEN (OLD.status IN ('published', 'retracted')) EXECUTE FUNCTION claims_claim_refuse_public_delete()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS claims_claim_public_not_deleted ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_refuse_public_delete()",
    "DROP TRIGGER IF EXISTS sources_source_text_keeps_quotes ON sources_source",
    "DROP FUNCTION IF EXISTS sources_source_check_quotes()",
    "DROP TRIGGER IF EXISTS claims_appearance_quote ON claims_appearance",
    "DROP FUNCTION IF EXISTS claims_appearance_check_quote()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_claims_verdicts_audit_trail"),
        ("sources", "0001_outlets_sources_actors_places"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
