"""A demonstration programme: instrument, programme, inspections, users of each role and
cases at every stage. Seeded, so the demo looks the same every time."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from caseassess.accounts.models import Role, User
from caseassess.assessments.models import Answer, Assessment, Status
from caseassess.inspections.models import Area, Case, Inspection, Membership, Programme
from caseassess.instruments.models import InstrumentVersion
from caseassess.instruments.selectors import instrument_expressions, instrument_get
from caseassess.instruments.services import instrument_load
from caseassess_core.applicability.expression import parse
from caseassess_core.instrument.loader import load_instrument
from caseassess_core.instrument.schema import AnswerType, Instrument
from caseassess_core.rules.timescales import add_months, add_working_days, is_working_day
from caseassess_core.scoring.assess import applicability, scoring_of

DEMO_PASSWORD = "inspect-the-work-2013"  # noqa: S105 - published demo credential
USERS = [
    ("assessor", "Asha", "Patel", Role.INSPECTOR),
    ("assessor2", "Ben", "Okafor", Role.INSPECTOR),
    ("lead", "Lena", "Hughes", Role.INSPECTOR),
    ("lead2", "Sam", "Carter", Role.INSPECTOR),
    ("analyst", "Ari", "Jones", Role.ANALYST),
    ("admin", "Ada", "Morgan", Role.ADMINISTRATOR),
]
# Roles are per inspection: ``lead2`` leads IAOW Leicestershire and is an assessor on IAOW Cumbria.
TEAMS = {
    0: {"lead": "lead_inspector", "lead2": "assessor", "assessor": "assessor", "assessor2": "assessor", "analyst": "analyst"},
    1: {"lead": "lead_inspector", "lead2": "lead_inspector", "assessor": "assessor", "assessor2": "assessor", "analyst": "analyst"},
}
AREAS = [
    ("IAOW Cumbria", "Cumbria Probation Trust", dt.date(2013, 11, 4), "protecting children"),
    ("IAOW Leicestershire", "Leicestershire and Rutland Probation Trust", dt.date(2014, 1, 13), "protecting children"),
]


def _demo_dates(details: dict[str, Any], fieldwork_start: dt.date, rng: random.Random) -> dict[str, Any]:
    """Dates and counts an inspector reads off the case record, as the timescale rules need them:
    the case started six to nine months before fieldwork; most first appointments and sentence
    plans are on time, some are late; high and very high RoSH cases have their weeks of contact."""
    licence = str(details["sentence_type"]).startswith("licence")
    start = fieldwork_start - dt.timedelta(days=rng.randint(180, 270))
    while not is_working_day(start):  # courts sit and prisons release on working days
        start -= dt.timedelta(days=1)
    out: dict[str, Any] = {"supervision_start_date": start.isoformat()}
    if licence:
        months = int(details.get("custodial_length_months") or 12)
        out["release_date"] = start.isoformat()
        out["sentence_date"] = add_months(start, -max(1, months // 2)).isoformat()
        first = add_working_days(start, rng.choices([0, 1, 2, 4], [55, 30, 10, 5])[0])
    else:
        out["sentence_date"] = start.isoformat()
        first = add_working_days(start, rng.choices([1, 2, 3, 5], [40, 35, 15, 10])[0])
    if rng.random() < 0.95:
        out["first_appointment_date"] = first.isoformat()
    if rng.random() < 0.92:
        out["sentence_plan_date"] = add_working_days(start, rng.choices([5, 10, 15, 18, 25], [20, 35, 25, 12, 8])[0]).isoformat()
    if details.get("rosh_at_start") in ("high", "very_high"):
        weeks = max(1, (fieldwork_start - start).days // 7 - 1)
        out["contact_weeks_checked"] = weeks
        out["contact_weeks_with_contact"] = weeks - rng.choices([0, 1, 2, 4], [55, 25, 12, 8])[0]
    return out


def random_case_details(ins: Instrument, rng: random.Random, *, fieldwork_start: dt.date | None = None) -> dict[str, Any]:
    """Plausible case details; with ``fieldwork_start``, also the dates and weeks of contact the
    timescale rules read (without it the random sequence is the same as before they existed)."""
    sentence = rng.choices(
        ["community_order", "suspended_sentence_order", "licence_determinate", "licence_indeterminate"], [45, 15, 35, 5]
    )[0]
    licence = sentence.startswith("licence")
    rosh = rng.choices(["low", "medium", "high", "very_high"], [30, 45, 21, 4])[0]
    details: dict[str, Any] = {
        "sentence_type": sentence,
        "rosh_at_start": rosh,
        "tier": rng.choices(["tier_1", "tier_2", "tier_3", "tier_4"], [13, 25, 33, 29])[0],
        "gender": rng.choices(["male", "female"], [88, 12])[0],
        "ethnicity": rng.choices(["white", "bme"], [87, 13])[0],
        "disability": rng.choices(["no", "yes"], [80, 20])[0],
        "age_group": rng.choices(["18_24", "25_plus"], [31, 69])[0],
        "report_type": rng.choice(["standard_delivery", "fast_delivery", "oral", "none"]),
        "custodial_length_months": rng.choice([6, 12, 18, 24, 48]) if licence else None,
        "ogrs_score": rng.randint(5, 95),
        "ppo": rng.choices(["no", "yes"], [90, 10])[0],
        "transferred_in": rng.choices(["no", "yes"], [90, 10])[0],
        "mappa_category": rng.choices(["none", "category_1", "category_2"], [80, 10, 10])[0],
        "requirements": rng.sample(["supervision", "unpaid_work", "accredited_programme", "curfew", "drug_rehabilitation"], 2)
        if not licence
        else ["standard_6_only"],
        "principal_offence": rng.choice(["violence_against_the_person", "burglary", "theft_and_handling", "drug_offences", "sexual_offences"]),
    }
    if fieldwork_start is not None:
        details.update(_demo_dates(details, fieldwork_start, rng))
    known = {f.id: f for f in ins.case_details}
    out: dict[str, Any] = {}
    for key, value in details.items():
        f = known.get(key)
        if f is None or value is None:
            continue
        allowed = {o.value for o in ins.options_for(f)}
        if f.type == AnswerType.MULTIPLE_CHOICE:
            value = [v for v in value if v in allowed]
        elif allowed and value not in allowed:
            continue
        out[key] = value
    return out


def random_answers(ins: Instrument, case: dict[str, Any], rng: random.Random, quality: float, fraction: float = 1.0) -> dict[str, Any]:
    """Answers for applicable scored questions, in instrument order, ``fraction`` of sections."""
    answers: dict[str, Any] = {}
    exprs = {q.id: parse(q.applies_when) for q in ins.questions() if q.applies_when}
    sections = ins.sections()
    upto = max(1, int(len(sections) * fraction)) if fraction < 1 else len(sections)
    for sec in sections[:upto]:
        for q in sec.questions:
            expr = exprs.get(q.id)
            if expr is not None and not expr.evaluate(case, answers):
                continue
            opts = ins.options_for(q)
            if q.type == AnswerType.SINGLE_CHOICE and opts:
                by_class: dict[str, list[str]] = {}
                for o in opts:
                    by_class.setdefault(o.scoring.value if o.scoring else "none", []).append(o.value)
                r = rng.random()
                if "excluded" in by_class and r < 0.08:
                    answers[q.id] = rng.choice(by_class["excluded"])
                elif "sufficient" in by_class and r < quality:
                    answers[q.id] = rng.choice(by_class["sufficient"])
                elif "insufficient" in by_class:
                    answers[q.id] = rng.choice(by_class["insufficient"])
                else:
                    answers[q.id] = rng.choice([o.value for o in opts])
            elif q.type == AnswerType.MULTIPLE_CHOICE and opts:
                answers[q.id] = [opts[0].value]
            elif q.type == AnswerType.FACTOR_OUTCOMES and opts:
                # its own generator (seeded by the case), so the other answers stay as they were
                own = random.Random(f"{q.id}|{sorted((k, str(v)) for k, v in case.items())}|{quality}")
                answers[q.id] = _random_factor_outcomes(ins, q, own, quality)
    return answers


def _random_factor_outcomes(ins: Instrument, q: Any, rng: random.Random, quality: float) -> dict[str, str]:
    """Two or three factors linked to offending, each improved (with chance ``quality``), unchanged or worse."""
    factors = [f.value for f in ins.factors_for(q)]
    chosen = set(rng.sample(factors, min(len(factors), rng.choice((2, 3)))))
    by_class: dict[str, list[str]] = {}
    for o in ins.options_for(q):
        by_class.setdefault(o.scoring.value if o.scoring else "none", []).append(o.value)
    out: dict[str, str] = {}
    for f in factors:
        if f not in chosen:
            out[f] = by_class.get("excluded", ["not_a_factor"])[0]
        elif rng.random() < quality * 0.6 and by_class.get("sufficient"):
            out[f] = by_class["sufficient"][0]
        else:
            out[f] = rng.choice(by_class.get("insufficient", [f]))
    return out


def write_answers(assessment: Assessment, ins: Instrument, answers: dict[str, Any], actor: User) -> None:
    applies = applicability(ins, assessment.case.details, answers, instrument_expressions(version=assessment.case.inspection.instrument))
    rows = []
    for qid, value in answers.items():
        q = ins.question(qid)
        sc = scoring_of(ins, q, value)
        scoring = "" if sc is None else ("excluded" if not applies[qid].applies else sc.value)
        rows.append(Answer(assessment=assessment, question_id=qid, value=value, scoring=scoring, updated_by=actor))
    Answer.objects.bulk_create(rows)


DEMO_INSTRUMENT = "iaow-2013-10"


def _demo_instrument() -> tuple[InstrumentVersion, str]:
    """The demo's instrument version, and a warning when the files differ from the loaded version.

    The loader refuses a changed file under a version id that is already loaded, so that
    answers keep the wording they were made under. A demo database made before the files
    changed keeps its loaded version and says so: its cases were made under it, and the demo
    never deletes data. A new database (a fresh clone, the tests) loads the files as they are."""
    path = settings.INSTRUMENTS_DIR / DEMO_INSTRUMENT
    loaded = load_instrument(path)  # an invalid file is an error, whatever the database holds
    existing = InstrumentVersion.objects.filter(instrument_id=loaded.instrument.id).first()
    if existing is not None and existing.checksum != loaded.checksum:
        db = connection.settings_dict.get("NAME")
        return existing, (
            f"The instrument files of {loaded.instrument.id} have changed since this database loaded them on"
            f" {existing.loaded_at:%Y-%m-%d}; the demo keeps the loaded version, which its cases were made under."
            f" To see the demo with the current files, start from a new database (remove {db} and run"
            " scripts/demo.sh again)."
        )
    return instrument_load(path=path).version, ""


@transaction.atomic
def load_demo(*, cases_per_inspection: int = 24, seed: int = 2013) -> dict[str, Any]:
    version, warning = _demo_instrument()
    ins = instrument_get(version=version)
    if Programme.objects.filter(name="IAOW 2013–2017").exists():
        return {"created": 0, "warning": warning}
    users = {}
    for username, first, last, role in USERS:
        u = User.objects.create_user(username=username, password=DEMO_PASSWORD, first_name=first, last_name=last, role=role)
        u.is_staff = role == Role.ADMINISTRATOR
        u.save()
        users[username] = u
    programme = Programme.objects.create(
        name="IAOW 2013–2017", description="Inspection of Adult Offending Work, four-year programme",
        period_start=dt.date(2013, 4, 1), period_end=dt.date(2017, 3, 31),
    )
    programme.instruments.add(version)
    rng = random.Random(seed)
    n_cases = 0
    for idx, (name, area, start, topic) in enumerate(AREAS):
        area_record, _ = Area.objects.get_or_create(name=area)
        insp = Inspection.objects.create(
            programme=programme, name=name, area=area_record, topic=topic, fieldwork_start=start,
            fieldwork_end=start + dt.timedelta(days=4), instrument=version,
        )
        for username, role in TEAMS[idx].items():
            Membership.objects.create(inspection=insp, user=users[username], role=role)
            if role == "lead_inspector":
                area_record.leads.add(users[username])
        quality = 0.72 if idx == 0 else 0.64
        for i in range(cases_per_inspection):
            ref = f"{'CUM' if idx == 0 else 'LEI'}-{1001 + i}"
            assessor = users["assessor"] if i % 2 == 0 else users["assessor2"]
            # The first few cases of the first inspection are left for the newcomer to assess.
            if idx == 0 and i < 4:
                details = random_case_details(ins, rng, fieldwork_start=start) if i >= 2 else {}
                case = Case.objects.create(inspection=insp, case_ref=ref, details=details)
                a = Assessment.objects.create(case=case, assessor=users["assessor"])
                if i == 3:
                    write_answers(a, ins, random_answers(ins, details, rng, quality, fraction=0.3), users["assessor"])
                    a.status = Status.IN_PROGRESS
                    a.save()
                n_cases += 1
                continue
            details = random_case_details(ins, rng, fieldwork_start=start)
            case = Case.objects.create(inspection=insp, case_ref=ref, details=details)
            a = Assessment.objects.create(case=case, assessor=assessor)
            write_answers(a, ins, random_answers(ins, details, rng, quality), assessor)
            a.status = Status.SIGNED_OFF if i % 3 else Status.SUBMITTED
            a.submitted_at = timezone.now()
            if a.status == Status.SIGNED_OFF:
                a.signed_off_by = users["lead"]
                a.signed_off_at = timezone.now()
            a.save()
            n_cases += 1
        if idx == 1:
            _demo_double_assessment(insp, ins, users, rng)
    return {"created": n_cases, "warning": warning}


def _demo_double_assessment(insp: Inspection, ins: Instrument, users: dict[str, User], rng: random.Random) -> None:
    """Six cases of the second inspection assessed twice, blind, so the agreement report
    and moderation have something to show; the second assessor disagrees now and then."""
    from caseassess.sampling.quality import double_assessment_mark

    firsts = list(
        Assessment.objects.filter(case__inspection=insp, assessor=users["assessor"], counts=True, status__in=[Status.SUBMITTED, Status.SIGNED_OFF])
        .select_related("case")
        .order_by("case__case_ref")[:6]
    )
    for pair in double_assessment_mark(inspection=insp, actor=users["lead"], second_assessor=users["assessor2"], firsts=firsts):
        first_answers = dict(pair.first.answers.values_list("question_id", "value"))
        second_answers = {}
        for qid, value in first_answers.items():
            q = ins.question(qid)
            values = [o.value for o in ins.options_for(q)]
            if q.type == AnswerType.SINGLE_CHOICE and rng.random() < 0.15 and len(values) > 1:
                value = rng.choice([v for v in values if v != value])
            second_answers[qid] = value
        write_answers(pair.second, ins, second_answers, users["assessor2"])
        pair.second.status = Status.SUBMITTED
        pair.second.submitted_at = timezone.now()
        pair.second.save()
