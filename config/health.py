"""/healthz for a load balancer: no sign-in, no secrets. 200 when the database answers,
every migration is applied and the instrument files are present; 503 otherwise, naming
which check failed but never why (no host names, paths or error text)."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_migrated = False  # once every migration is applied it stays so for this process


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _migrations() -> bool:
    global _migrated
    if not _migrated:
        try:
            executor = MigrationExecutor(connection)
            _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError:
            return False
    return _migrated


def _instruments() -> bool:
    root = settings.INSTRUMENTS_DIR
    return root.is_dir() and any((p / "instrument.yaml").is_file() for p in root.iterdir())


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    checks = {
        "database": database,
        "migrations": database and _migrations(),
        "instruments": _instruments(),
    }
    ok = all(checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": {k: "ok" if v else "failing" for k, v in checks.items()}},
        status=200 if ok else 503,
    )
