from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from caseassess.audit.services import audit_record
from caseassess.instruments.models import InstrumentVersion
from caseassess_core.instrument.loader import InstrumentError, Problem, load_instrument


@dataclass(frozen=True)
class LoadOutcome:
    version: InstrumentVersion
    created: bool


def instrument_load(*, path: str | Path, actor: Any = None) -> LoadOutcome:
    """Load an instrument file into the database.

    Idempotent: the same file again is a no-op. A changed file under an existing
    version id is refused (make a new version id instead), so answers always keep
    the wording they were made under."""
    loaded = load_instrument(path)
    ins = loaded.instrument
    with transaction.atomic():
        existing = InstrumentVersion.objects.select_for_update().filter(instrument_id=ins.id).first()
        if existing is not None:
            if existing.checksum == loaded.checksum:
                return LoadOutcome(existing, False)
            raise InstrumentError(
                [
                    Problem(
                        loaded.files[0],
                        None,
                        "id",
                        f"instrument version {ins.id!r} is already loaded with different content; "
                        "a changed instrument needs a new version id",
                    )
                ]
            )
        version = InstrumentVersion.objects.create(
            instrument_id=ins.id,
            title=ins.title,
            version=ins.version,
            effective_from=ins.effective_from,
            checksum=loaded.checksum,
            definition=ins.model_dump(mode="json"),
        )
        audit_record(actor=actor, action="load_instrument", entity="instrument", entity_id=ins.id, new=loaded.checksum)
    return LoadOutcome(version, True)
