from __future__ import annotations

from functools import lru_cache

from caseassess.instruments.models import InstrumentVersion, RatingSchemeVersion
from caseassess_core.applicability.expression import Expression, parse
from caseassess_core.instrument.schema import Instrument
from caseassess_core.ratings import RatingScheme


@lru_cache(maxsize=32)
def _parse_definition(instrument_id: str, checksum: str) -> tuple[Instrument, dict[str, Expression]]:
    row = InstrumentVersion.objects.get(instrument_id=instrument_id, checksum=checksum)
    ins = Instrument.model_validate(row.definition)
    exprs = {q.id: parse(q.applies_when) for q in ins.questions() if q.applies_when}
    return ins, exprs


def instrument_get(*, version: InstrumentVersion) -> Instrument:
    return _parse_definition(version.instrument_id, version.checksum)[0]


def instrument_expressions(*, version: InstrumentVersion) -> dict[str, Expression]:
    return _parse_definition(version.instrument_id, version.checksum)[1]


def instrument_latest() -> InstrumentVersion | None:
    return InstrumentVersion.objects.order_by("-effective_from", "-loaded_at").first()


@lru_cache(maxsize=32)
def _parse_scheme(pk: int, checksum: str) -> RatingScheme:
    return RatingScheme.model_validate(RatingSchemeVersion.objects.get(pk=pk, checksum=checksum).definition)


def rating_scheme_for(*, version: InstrumentVersion) -> tuple[RatingSchemeVersion, RatingScheme] | None:
    """The newest rating scheme loaded for an instrument version, or ``None``."""
    row = RatingSchemeVersion.objects.filter(instrument=version).order_by("-effective_from", "-loaded_at").first()
    if row is None:
        return None
    return row, _parse_scheme(row.pk, row.checksum)
