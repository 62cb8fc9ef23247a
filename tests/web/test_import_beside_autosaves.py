"""Issue 14, the load run: a large web import (a background job) must not make the
assessors' autosaves in other inspections wait or fail. Every save writes an audit row,
and chaining audit rows takes a lock that the import, too, holds from its own audit rows
to its commit (caseassess.audit.chain)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from caseassess.audit.models import AuditEvent
from caseassess.audit.services import audit_record
from caseassess.inspections.models import Area, Inspection, Programme
from caseassess.instruments.selectors import instrument_get
from caseassess.instruments.services import instrument_load
from caseassess.reporting import counts, importing
from tests.web.test_import_paths import generated


def _target() -> tuple[Inspection, list[list[str]]]:
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    start = dt.date(2014, 3, 10)
    insp = Inspection.objects.create(programme=Programme.objects.create(name="Import beside autosaves"), name="Importshire",
                                     area=Area.objects.create(name="Importshire"), fieldwork_start=start,
                                     fieldwork_end=start + dt.timedelta(days=4), instrument=version)
    rows, _ = generated(instrument_get(version=version), seed=14, n=20)
    return insp, rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row and advisory locks (SQLite: one writer at a time)")
@pytest.mark.django_db(transaction=True)
def test_an_autosave_elsewhere_is_not_held_by_the_import_while_it_writes_its_answers_and_counts(users: dict[str, Any], monkeypatch: Any) -> None:
    """While the import is still working inside its transaction (here: keeping the findings
    counts), another person's save, which writes an audit row, goes through at once."""
    insp, rows = _target()
    other: dict[str, Any] = {}

    def save_elsewhere() -> None:  # an assessor's autosave in another inspection: its audit row
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '2s'")
                t0 = time.monotonic()
                audit_record(actor=users["assessor"], action="autosave", entity="assessment", entity_id="1")
                other["seconds"] = time.monotonic() - t0
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            other["error"] = repr(exc)
        finally:
            connections.close_all()

    real = counts.apply_increments

    def counting_while_someone_saves(*args: Any, **kwargs: Any) -> Any:
        done = real(*args, **kwargs)
        t = threading.Thread(target=save_elsewhere)
        t.start()
        t.join(timeout=30)
        return done

    monkeypatch.setattr(counts, "apply_increments", counting_while_someone_saves)
    result = importing.assessments_import_csv(inspection=insp, actor=users["lead"], rows=iter(rows))
    assert result.ok and result.cases_created == 20 and result.counts_kept
    assert "error" not in other, other  # before: "canceling statement due to lock timeout"
    assert other["seconds"] < 1
    # Both the import's rows and the save's row are in one unbroken chain.
    from caseassess.audit.chain import verify_all

    assert not [p for r in verify_all("default") for p in r.problems]
    assert AuditEvent.objects.filter(action="import", inspection_id=insp.pk).count() == 20
