"""manage.py's front door: a command on an unconfigured checkout or an empty database
prints one line saying what to do, never a traceback (issue 12).

- settings that cannot be read (a malformed DATABASE_URL ...): the reason, in one line;
- no DJANGO_SECRET_KEY for something that signs (runserver, sessions): what to set;
- a database with no tables yet: ``run manage.py setup_site``;
- a database behind the code (a migration not applied): ``run manage.py migrate``;
- a database that cannot be reached: which setting points at it.

``--traceback`` still shows the full traceback for developers."""

from __future__ import annotations

import os
import sys

NO_DATABASE_NEEDED = {"validate_instrument", "setup_site", "draft_crosswalk", "export_openapi"}
SETUP_HINT = "The database has no tables yet: run `python manage.py setup_site` first (docs/deploy.md)."
MIGRATE_HINT = "The database is older than this version of caseassess: run `python manage.py migrate` (docs/deploy.md, Upgrade)."
NEEDS_KEY = {"runserver", "runserver_plus"}


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _fail(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(1)


def missing_columns(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "no such column" in text or "has no column named" in text or ("column" in text and "does not exist" in text)


def missing_tables(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _needs_tables(command: str) -> bool:
    """This project's commands read the database, except the few that make or need none."""
    if not command or command in NO_DATABASE_NEEDED:
        return False
    import django
    from django.core.management import get_commands

    django.setup()
    return str(get_commands().get(command, "")).startswith("caseassess.")


def _has_tables() -> bool:
    from django.db import connection

    return "django_migrations" in connection.introspection.table_names()


def run(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    traceback = "--traceback" in argv
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError, ProgrammingError

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - reads config/settings.py now, so its errors are caught here
    except Exception as exc:
        if traceback:
            raise
        _fail(f"The settings cannot be read ({type(exc).__name__}): {_one_line(exc)}. Check DATABASE_URL and the other variables listed in config/settings.py.")

    command = argv[1] if len(argv) > 1 else ""
    if command in NEEDS_KEY and not {"--help", "-h"} & set(argv):
        try:
            settings.SECRET_KEY  # noqa: B018 - Django refuses an empty key only when it is read
        except ImproperlyConfigured:
            _fail(settings.UNCONFIGURED_HELP)

    from django.core.management import execute_from_command_line

    try:
        if not {"--help", "-h"} & set(argv) and _needs_tables(command) and not _has_tables():
            _fail(SETUP_HINT)
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        if traceback:
            raise
        _fail(settings.UNCONFIGURED_HELP if "SECRET_KEY" in str(exc) else f"Configuration problem: {_one_line(exc)}")
    except (OperationalError, ProgrammingError) as exc:
        if traceback:
            raise
        if missing_tables(exc):
            _fail(SETUP_HINT)
        if missing_columns(exc):
            _fail(MIGRATE_HINT)
        if isinstance(exc, OperationalError):
            _fail(f"Cannot use the database ({_one_line(exc).split(' DETAIL')[0][:200]}). Check DATABASE_URL (default: SQLite in var/).")
        raise
