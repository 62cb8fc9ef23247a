"""PostgreSQL: give the role the application runs as the rights it needs and no more
(docs/security.md, "Two database roles"). The owner role (which runs migrate) owns every
table; the application role may read and write the application's tables but may only
INSERT and SELECT on the audit tables: no UPDATE, DELETE or TRUNCATE, and, not being the
owner, it cannot disable the append-only triggers or alter the tables."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

AUDIT_TABLES = ("audit_auditevent", "audit_accesslog")


def grant_statements(role: str) -> list[str]:
    r = connection.ops.quote_name(role)
    audit = ", ".join(AUDIT_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM {r}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {r}",
    ]


class Command(BaseCommand):
    help = (
        "PostgreSQL only. Run as the owner of the tables after every migrate: grant ROLE (the role the "
        "application connects as) read and write on the application tables and only SELECT and INSERT on the "
        "audit tables. --create makes the role (NOLOGIN; give it LOGIN and a password yourself)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role")
        parser.add_argument("--create", action="store_true", help="create the role if it does not exist")
        parser.add_argument("--print", action="store_true", help="print the SQL instead of running it")

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; SQLite has no roles (its audit rows are protected by triggers)")
        role = opts["role"]
        sql = grant_statements(role)
        if opts["print"]:
            self.stdout.write(";\n".join(sql) + ";")
            return
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cur.fetchone() is None:
                if not opts["create"]:
                    raise CommandError(f"There is no PostgreSQL role {role!r}; create it (or pass --create)")
                cur.execute(f"CREATE ROLE {connection.ops.quote_name(role)} NOLOGIN")
            for s in sql:
                cur.execute(s)
        if opts["verbosity"]:
            self.stdout.write(f"Role {role} may read and write the application tables, and only read and add audit rows")
