from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from caseassess.audit.services import audit_record
from caseassess.instruments.models import CrosswalkVersion, InstrumentVersion, RatingSchemeVersion
from caseassess_core.findings.trends import CrosswalkError, load_crosswalk
from caseassess_core.instrument.loader import InstrumentError, Problem, load_instrument
from caseassess_core.instrument.schema import Instrument
from caseassess_core.ratings import RatingSchemeError, load_rating_scheme

RATINGS_FILE = "ratings.yaml"


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
    ratings = Path(loaded.files[0]).parent / RATINGS_FILE
    if ratings.is_file():  # check the scheme before writing anything, so a bad one loads nothing
        try:
            load_rating_scheme(ratings, ins)
        except RatingSchemeError as exc:
            raise InstrumentError(exc.problems) from None
    crosswalks = sorted(Path(loaded.files[0]).parent.glob("crosswalk-from-*.yaml"))
    with transaction.atomic():
        outcome = _instrument_store(loaded=loaded, actor=actor)
        if ratings.is_file():
            rating_scheme_load(path=ratings, version=outcome.version, actor=actor)
        for path_ in crosswalks:
            crosswalk_load(path=path_, later=outcome.version, actor=actor)
    return outcome


def crosswalk_load(*, path: Path, later: InstrumentVersion, actor: Any = None) -> CrosswalkVersion | None:
    """Load a crosswalk beside ``later``. ``None`` (nothing to compare with) when the earlier
    instrument is not loaded; a file that does not match the two instruments is refused."""
    from caseassess.instruments.selectors import instrument_get

    earlier_id = path.name.removeprefix("crosswalk-from-").removesuffix(".yaml")
    earlier = InstrumentVersion.objects.filter(instrument_id=earlier_id).first()
    if earlier is None:
        return None
    try:
        crosswalk = load_crosswalk(path, instrument_get(version=earlier), instrument_get(version=later))
    except CrosswalkError as exc:
        raise InstrumentError(exc.problems) from None
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    existing = CrosswalkVersion.objects.filter(later=later, earlier_instrument_id=earlier_id).first()
    if existing is not None:
        if existing.checksum == checksum:
            return existing
        existing.checksum, existing.definition = checksum, crosswalk.to_dict()
        existing.save(update_fields=["checksum", "definition"])
        audit_record(actor=actor, action="update_crosswalk", entity="crosswalk", entity_id=existing.pk, new=checksum)
        return existing
    row = CrosswalkVersion.objects.create(later=later, earlier_instrument_id=earlier_id, checksum=checksum,
                                          definition=crosswalk.to_dict())
    audit_record(actor=actor, action="load_crosswalk", entity="crosswalk", entity_id=row.pk, new=checksum)
    return row


def _instrument_store(*, loaded: Any, actor: Any) -> LoadOutcome:
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


def rating_scheme_load(*, path: str | Path, version: InstrumentVersion, actor: Any = None) -> RatingSchemeVersion:
    """Load a rating scheme for ``version``. The same file again is a no-op; a changed file under
    an existing scheme id and version is refused (a changed scheme needs a new version)."""
    from caseassess.instruments.selectors import instrument_get

    ins: Instrument = instrument_get(version=version)
    try:
        scheme = load_rating_scheme(path, ins)
    except RatingSchemeError as exc:
        raise InstrumentError(exc.problems) from None
    checksum = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    with transaction.atomic():
        existing = (
            RatingSchemeVersion.objects.select_for_update()
            .filter(scheme_id=scheme.id, version=scheme.version)
            .first()
        )
        if existing is not None:
            if existing.checksum == checksum and existing.instrument_id == version.pk:
                return existing
            raise InstrumentError(
                [
                    Problem(
                        str(path),
                        None,
                        "version",
                        f"rating scheme {scheme.id!r} version {scheme.version!r} is already loaded with different "
                        "content; a changed scheme needs a new version",
                    )
                ]
            )
        row = RatingSchemeVersion.objects.create(
            instrument=version,
            scheme_id=scheme.id,
            title=scheme.title,
            version=scheme.version,
            effective_from=scheme.effective_from,
            checksum=checksum,
            definition=scheme.model_dump(mode="json"),
        )
        audit_record(
            actor=actor, action="load_rating_scheme", entity="rating_scheme", entity_id=f"{scheme.id} {scheme.version}",
            new=checksum,
        )
    return row
