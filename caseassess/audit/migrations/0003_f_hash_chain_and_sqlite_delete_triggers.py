"""Hash-chain the audit tables (caseassess.audit.chain): two columns per table, the chain
computed for the rows already there (the append-only triggers are lifted for that, in
this migration's transaction, and put back), and ``at`` kept to the millisecond. On
SQLite, row DELETE is now refused as on PostgreSQL (caseassess.audit.sqlite), and the
UPDATE triggers of 0002 are made again (a field change rebuilds a SQLite table)."""

from django.db import migrations, models

import caseassess.audit.chain

TABLES = ("audit_auditevent", "audit_accesslog")

SQLITE_NO_UPDATE = "CREATE TRIGGER IF NOT EXISTS {t}_no_update BEFORE UPDATE ON {t} BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"
SQLITE_NO_DELETE = (
    "CREATE TRIGGER IF NOT EXISTS {t}_no_delete BEFORE DELETE ON {t} WHEN NOT caseassess_flushing() "
    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"
)


def chain_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from caseassess.audit.chain import GENESIS, HASHED_FIELDS, row_hash

    conn = schema_editor.connection
    for table, model_name in zip(TABLES, ("AuditEvent", "AccessLog"), strict=True):
        model = apps.get_model("audit", model_name)
        if not model.objects.using(conn.alias).exists():
            continue
        if conn.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        elif conn.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        prev = GENESIS
        fields = HASHED_FIELDS[table]
        with conn.cursor() as cur:
            for pk, *values in model.objects.using(conn.alias).order_by("id").values_list("id", *fields).iterator(chunk_size=5000):
                h = row_hash(table, prev, dict(zip(fields, values, strict=True)))
                cur.execute(f"UPDATE {table} SET prev_hash = %s, row_hash = %s WHERE id = %s", [prev, h, pk])
                prev = h
        if conn.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def sqlite_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Both again: altering a field on SQLite rebuilds the table, and its triggers go with the old one.
    if schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(SQLITE_NO_UPDATE.format(t=table))
            schema_editor.execute(SQLITE_NO_DELETE.format(t=table))


def drop_sqlite_delete_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [
        migrations.AddField("auditevent", "prev_hash", models.CharField(default="", editable=False, max_length=64)),
        migrations.AddField("auditevent", "row_hash", models.CharField(db_index=True, default="", editable=False, max_length=64)),
        migrations.AddField("accesslog", "prev_hash", models.CharField(default="", editable=False, max_length=64)),
        migrations.AddField("accesslog", "row_hash", models.CharField(db_index=True, default="", editable=False, max_length=64)),
        migrations.AlterField("auditevent", "at", models.DateTimeField(db_index=True, default=caseassess.audit.chain.now_ms)),
        migrations.AlterField("accesslog", "at", models.DateTimeField(db_index=True, default=caseassess.audit.chain.now_ms)),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(sqlite_triggers, drop_sqlite_delete_triggers),
    ]
