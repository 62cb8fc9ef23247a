"""The audit tables refuse UPDATE at the database level (PostgreSQL and SQLite), so
neither the application nor a bulk update can rewrite history. On PostgreSQL, row
DELETE is refused too (TRUNCATE, used only by test set-up and restore, is not a row
delete). SQLite, the embedded demo database, has no DELETE trigger because its test
flush deletes rows; the models refuse delete() on both."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION caseassess_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'audit rows are append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION caseassess_append_only();
DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
CREATE TRIGGER audit_accesslog_append_only BEFORE UPDATE OR DELETE ON audit_accesslog
  FOR EACH ROW EXECUTE FUNCTION caseassess_append_only();
"""

SQLITE = """
CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(SQL)
    elif vendor == "sqlite":
        for stmt in SQLITE.strip().split(";\n"):
            if stmt.strip():
                schema_editor.execute(stmt.strip().rstrip(";") + ";")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
