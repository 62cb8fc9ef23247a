"""Writes for sampling: caseload uploads, sample draws, adding a sample to an inspection.
Transactional and audited."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from caseassess.audit.services import audit_record
from caseassess.inspections.models import Inspection
from caseassess.inspections.services import CaseError, case_add
from caseassess.sampling.models import CaseloadUpload, SampleDraw
from caseassess_core.sampling import (
    CaseloadError,
    CaseRecord,
    SampleResult,
    SamplingDesign,
    draw_sample,
    parse_caseload_csv,
)

#: Case.details key holding the case's design weight (read by the weighted findings).
DESIGN_WEIGHT = "design_weight"
#: Case-detail ids copied from the caseload into each sampled case.
DETAIL_FIELDS = (
    "sentence_type", "supervision_start_date", "gender", "ethnicity", "rosh_at_start", "tier",
    "principal_offence", "requirements", "child_protection_concerns",
)


class SamplingError(ValueError):
    pass


def record_to_json(r: CaseRecord) -> dict[str, Any]:
    return {
        "case_ref": r.case_ref, "sentence_type": r.sentence_type, "supervision_start_date": r.supervision_start_date.isoformat(),
        "gender": r.gender, "ethnicity": r.ethnicity, "rosh_at_start": r.rosh_at_start, "principal_offence": r.principal_offence,
        "requirements": list(r.requirements), "child_protection_concerns": r.child_protection_concerns, "tier": r.tier,
        "attributes": dict(r.attributes),
    }


def record_from_json(d: Mapping[str, Any]) -> CaseRecord:
    return CaseRecord(
        case_ref=d["case_ref"], sentence_type=d["sentence_type"], supervision_start_date=date.fromisoformat(d["supervision_start_date"]),
        gender=d["gender"], ethnicity=d["ethnicity"], rosh_at_start=d["rosh_at_start"], principal_offence=d["principal_offence"],
        requirements=tuple(d["requirements"]), child_protection_concerns=d["child_protection_concerns"], tier=d["tier"],
        attributes=dict(d.get("attributes") or {}),
    )


def caseload_upload(*, inspection: Inspection, actor: Any, data: str | bytes, filename: str = "") -> tuple[CaseloadUpload | None, tuple[CaseloadError, ...]]:
    """Parse and store a caseload extract, all or nothing: with any error nothing is stored."""
    parsed = parse_caseload_csv(data)
    if not parsed.ok:
        return None, parsed.errors
    with transaction.atomic():
        upload = CaseloadUpload.objects.create(
            inspection=inspection, filename=filename[:200], rows=[record_to_json(r) for r in parsed.rows],
            row_count=len(parsed.rows), uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(actor=actor, action="caseload_upload", entity="caseload_upload", entity_id=upload.pk,
                     inspection_id=inspection.pk, new={"filename": filename, "rows": len(parsed.rows)})
    return upload, ()


def design_to_json(d: SamplingDesign) -> dict[str, Any]:
    return {
        "size": d.size, "reference_date": d.reference_date.isoformat(), "seed": d.seed,
        "min_months_supervised": d.min_months_supervised, "max_months_supervised": d.max_months_supervised,
        "min_high_rosh": d.min_high_rosh, "min_unpaid_work_only": d.min_unpaid_work_only,
        "child_protection_cap": d.child_protection_cap, "share_tolerance_points": d.share_tolerance_points,
        "principal_offences": sorted(d.principal_offences) if d.principal_offences is not None else None,
    }


def result_to_json(r: SampleResult) -> dict[str, Any]:
    out = dataclasses.asdict(r)
    out["cells"] = [{**dataclasses.asdict(c), "label": c.label} for c in r.cells]
    out["high_rosh_count"] = r.high_rosh_count
    out["all_quotas_met"] = r.all_quotas_met
    out["sample_size"] = r.sample_size
    return out


def sample_draw(*, upload: CaseloadUpload, design: SamplingDesign, actor: Any) -> SampleDraw:
    """Draw a seeded sample from a stored caseload and record the draw (not yet added)."""
    result = draw_sample([record_from_json(d) for d in upload.rows], design)
    with transaction.atomic():
        draw = SampleDraw.objects.create(
            inspection=upload.inspection, caseload=upload, design=design_to_json(design), seed=design.seed,
            result=result_to_json(result), drawn_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(actor=actor, action="sample_draw", entity="sample_draw", entity_id=draw.pk, inspection_id=upload.inspection_id,
                     new={"design": draw.design, "cases": list(result.case_refs), "all_quotas_met": result.all_quotas_met})
    return draw


def sample_add_to_inspection(*, draw: SampleDraw, actor: Any) -> int:
    """Create the sampled cases (case_add) with their case details and design weight.
    All or nothing: if any case reference is already in the inspection, nothing is added."""
    rows = {d["case_ref"]: d for d in draw.caseload.rows}
    refs: list[str] = list(draw.result.get("case_refs", []))
    weights: dict[str, float] = draw.result.get("weights", {})
    with transaction.atomic():
        locked = SampleDraw.objects.select_for_update().get(pk=draw.pk)
        if locked.added_at is not None:
            raise SamplingError("This sample has already been added to the inspection")
        existing = set(locked.inspection.cases.filter(case_ref__in=refs).values_list("case_ref", flat=True))
        if existing:
            raise SamplingError(f"{len(existing)} sampled case(s) are already in the inspection ({', '.join(sorted(existing)[:10])}); nothing was added")
        try:
            for ref in refs:
                row = rows[ref]
                details = {k: row[k] for k in DETAIL_FIELDS if row.get(k) not in (None, "", [])}
                details[DESIGN_WEIGHT] = weights[ref]
                case_add(inspection=locked.inspection, actor=actor, case_ref=ref, details=details)
        except CaseError as exc:
            raise SamplingError(f"{exc}; nothing was added") from None
        locked.added_at = timezone.now()
        locked.added_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["added_at", "added_by"])
        audit_record(actor=actor, action="sample_add", entity="sample_draw", entity_id=locked.pk, inspection_id=locked.inspection_id,
                     new={"cases": len(refs), "weight_key": DESIGN_WEIGHT})
    draw.refresh_from_db()
    return len(refs)
