# ruff: noqa: E501
"""Findings benchmark: N synthetic case assessments -> the full aggregate report.

    CASEASSESS_VAR_DIR=/tmp/bench .venv/bin/python bench/findings_benchmark.py --cases 100000
    bash scripts/with_postgres.sh .venv/bin/python bench/findings_benchmark.py --cases 100000

Generates a synthetic programme (``--inspections`` inspections, ``--cases`` submitted
case assessments answering every applicable question of instruments/iaow-2013-10)
straight into the configured database with bulk inserts, then times

1. the full aggregate report end to end: ``findings_report`` with the STANDARD
   dimensions plus ``report_to_dict`` (what every export reads), and
2. the same counts by direct SQL: one raw ``GROUP BY`` per dimension, the SQL
   equivalent of ``answer_counts`` (plus the area query),

and prints cases per second and the ratio; then 3. the comparisons (``comparisons()``): a
one-attribute comparison by gender against one by report_type, and gender within licences
(``--comparisons-only`` times only these, e.g. on a programme kept with ``--keep``).

Realistic missingness: applicability is evaluated on the case details and answers of a pool of generated cases (so
questions that do not apply are unanswered) and about 8% of answers are "not
applicable" options (excluded). Each synthetic case copies one of ``--templates``
generated cases, so generation stays fast while subgroup mixes stay realistic.

The programme is removed afterwards unless ``--keep`` is given (the migrations are
run first, so an empty database works).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CASEASSESS_TESTING", "1")  # dev secret key; the benchmark serves nothing

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from caseassess.assessments.models import Answer, Assessment  # noqa: E402
from caseassess.inspections.demo import random_answers, random_case_details  # noqa: E402
from caseassess.inspections.models import Area, Case, Inspection, Programme  # noqa: E402
from caseassess.instruments.selectors import instrument_expressions, instrument_get  # noqa: E402
from caseassess.instruments.services import instrument_load  # noqa: E402
from caseassess.reporting.counts import counts_ensure, findings_change  # noqa: E402
from caseassess.reporting.models import FindingsCount, FindingsCountState  # noqa: E402
from caseassess.reporting.selectors import (  # noqa: E402
    ANNEX_FIELDS,
    STANDARD,
    custom_dimension,
    dimension_within,
    findings_report,
    scope_instrument,
    within_check,
)
from caseassess_core.findings.report import report_to_dict  # noqa: E402
from caseassess_core.scoring.assess import applicability, scoring_of  # noqa: E402

PROGRAMME = "Benchmark programme (synthetic)"
BATCH = 50_000
SQLITE_PRAGMAS = ("PRAGMA cache_size=-1048576", "PRAGMA temp_store=MEMORY", "PRAGMA mmap_size=8589934592")


def log(msg: str) -> None:
    print(msg, flush=True)


def templates(n: int, seed: int) -> list[tuple[dict[str, Any], list[tuple[str, str, str]]]]:
    """``n`` generated cases: details and (question id, value JSON, scoring) rows."""
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    ins = instrument_get(version=version)
    exprs = instrument_expressions(version=version)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        details = random_case_details(ins, rng)
        answers = random_answers(ins, details, rng, quality=rng.uniform(0.55, 0.8))
        applies = applicability(ins, details, answers, exprs)
        rows = []
        for qid, value in answers.items():
            q = ins.question(qid)
            sc = scoring_of(ins, q, value)
            scoring = "" if sc is None else ("excluded" if not applies[qid].applies else sc.value)
            rows.append((qid, json.dumps(value), scoring))
        out.append((details, rows))
    return out


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            raw = cur.cursor  # psycopg 3 cursor
            with raw.copy(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        return
    marks = ", ".join("%s" for _ in columns)
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES ({marks})", rows)


def _next_id(model: Any) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(model._meta.db_table)}")
        return int(cur.fetchone()[0]) + 1


def generate(*, cases: int, n_inspections: int, n_templates: int, seed: int) -> list[Inspection]:
    t0 = time.perf_counter()
    pool = templates(n_templates, seed)
    log(f"  {n_templates} case templates generated in {time.perf_counter() - t0:.1f} s "
        f"({sum(len(r) for _, r in pool) / n_templates:.0f} answers per case on average)")
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    rng = random.Random(seed + 1)
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        prog = Programme.objects.create(name=PROGRAMME, description="bench/findings_benchmark.py")
        inspections = [
            Inspection.objects.create(
                programme=prog, name=f"BENCH {i + 1:02d}", area=Area.objects.get_or_create(name=f"Benchmark Probation Trust {i + 1:02d}")[0],
                fieldwork_start=dt.date(2014, 1, 6) + dt.timedelta(weeks=6 * i),
                fieldwork_end=dt.date(2014, 1, 10) + dt.timedelta(weeks=6 * i), instrument=version,
            )
            for i in range(n_inspections)
        ]
    case_id, ass_id = _next_id(Case), _next_id(Assessment)
    pg = connection.vendor == "postgresql"
    case_rows: list[tuple[Any, ...]] = []
    ass_rows: list[tuple[Any, ...]] = []
    ans_rows: list[tuple[Any, ...]] = []
    n_answers = 0
    t1 = time.perf_counter()

    def flush(force: bool = False) -> None:
        nonlocal n_answers
        if not force and len(ans_rows) < BATCH * 4:
            return
        with transaction.atomic():
            _insert(Case._meta.db_table, ["id", "inspection_id", "case_ref", "details", "details_version", "created_at"], case_rows)
            _insert(Assessment._meta.db_table, ["id", "case_id", "status", "counts", "explanations", "submitted_at", "return_reason", "updated_at"], ass_rows)
            _insert(Answer._meta.db_table, ["assessment_id", "question_id", "value", "scoring", "comment", "version", "client_stamp", "updated_at"], ans_rows)
        n_answers += len(ans_rows)
        case_rows.clear()
        ass_rows.clear()
        ans_rows.clear()

    for i in range(cases):
        insp = inspections[i % n_inspections]
        details, rows = pool[rng.randrange(n_templates)]
        case_rows.append((case_id, insp.pk, f"B{i + 1:07d}", json.dumps(details), 0, now))
        ass_rows.append((ass_id, case_id, "submitted" if i % 3 else "signed_off", True, "{}", now, "", now))
        ans_rows.extend((ass_id, qid, value, scoring, "", 1, 0, now) for qid, value, scoring in rows)
        case_id += 1
        ass_id += 1
        flush()
        if (i + 1) % 10_000 == 0:
            el = time.perf_counter() - t1
            log(f"  {i + 1:,} cases written ({el:.0f} s, {(i + 1) / el:,.0f} cases/s)")
    flush(force=True)
    if pg:
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(_NoStyle(), [Case, Assessment, Answer]):
                cur.execute(sql)
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    log(f"  {cases:,} cases and {n_answers:,} answers written in {time.perf_counter() - t1:.1f} s")
    return inspections


class _NoStyle:
    def __getattr__(self, name: str) -> Any:
        return lambda x: x


def direct_sql(inspection_ids: list[int]) -> tuple[float, int]:
    """The counts of findings_report by raw SQL: one GROUP BY per dimension and the area query."""
    qn = connection.ops.quote_name
    ans, ass, case, insp = (m._meta.db_table for m in (Answer, Assessment, Case, Inspection))
    ids = ", ".join(str(int(i)) for i in inspection_ids)

    def key(field: str) -> str:
        if connection.vendor == "postgresql":
            return f"(c.details ->> '{field}')"
        return f"json_extract(c.details, '$.\"{field}\"')"

    base = (f"FROM {qn(ans)} a JOIN {qn(ass)} s ON s.id = a.assessment_id JOIN {qn(case)} c ON c.id = s.case_id "
            f"WHERE c.inspection_id IN ({ids}) AND s.counts AND s.status IN ('submitted', 'signed_off') AND a.scoring <> ''")
    queries = [f"SELECT a.question_id, {key(d.field)} AS g, a.scoring, COUNT(*) {base} GROUP BY 1, 2, 3" for d in STANDARD]
    queries.append(f"SELECT a.question_id, ar.name, a.scoring, COUNT(*) FROM {qn(ans)} a JOIN {qn(ass)} s ON s.id = a.assessment_id "
                   f"JOIN {qn(case)} c ON c.id = s.case_id JOIN {qn(insp)} i ON i.id = c.inspection_id JOIN {qn(Area._meta.db_table)} ar ON ar.id = i.area_id "
                   f"WHERE c.inspection_id IN ({ids}) AND s.counts AND s.status IN ('submitted', 'signed_off') AND a.scoring <> '' GROUP BY 1, 2, 3")
    for f in ANNEX_FIELDS:
        queries.append(f"SELECT {key(f)}, COUNT(DISTINCT c.id) FROM {qn(case)} c JOIN {qn(ass)} s ON s.case_id = c.id "
                       f"WHERE c.inspection_id IN ({ids}) AND s.counts AND s.status IN ('submitted', 'signed_off') GROUP BY 1")
    t = time.perf_counter()
    n = 0
    with connection.cursor() as cur:
        for k, sql in enumerate(queries):
            if k == len(STANDARD) + 1:
                answers_done = time.perf_counter()
            cur.execute(sql)
            n += len(cur.fetchall())
    end = time.perf_counter()
    log(f"    direct SQL: answer counts {answers_done - t:.2f} s, annex case counts {end - answers_done:.2f} s")
    return end - t, n


def explain(inspection_ids: list[int]) -> None:
    """The plan of the slowest kind of query (a JSON subgroup), for the report."""
    ids = ", ".join(str(int(i)) for i in inspection_ids)
    qn = connection.ops.quote_name
    ans, ass, case = (m._meta.db_table for m in (Answer, Assessment, Case))
    key = "(c.details ->> 'gender')" if connection.vendor == "postgresql" else "json_extract(c.details, '$.\"gender\"')"
    qs_sql = (f"SELECT a.question_id, {key}, a.scoring, COUNT(*) FROM {qn(ans)} a JOIN {qn(ass)} s ON s.id = a.assessment_id "
              f"JOIN {qn(case)} c ON c.id = s.case_id WHERE c.inspection_id IN ({ids}) AND s.counts "
              f"AND s.status IN ('submitted', 'signed_off') AND a.scoring <> '' GROUP BY 1, 2, 3")
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cur:
        cur.execute(prefix + qs_sql)
        log("  plan of the gender GROUP BY:")
        for row in cur.fetchall():
            log("    " + " | ".join(str(x) for x in row))


def proposals(inspection_ids: list[int], fields: list[str]) -> None:
    """Time the fixes proposed in docs/data-exchange.md on the same data, without changing models:

    A. one pass: a single GROUP BY over every subgroup field at once (a "cube"), marginalised
       per dimension in Python (counts only, never answers);
    B. denormalised subgroup columns: the answers copied once into a flat table with the case
       details as plain columns (what columns on Answer, kept in step by the services, would give);
    C. a count cache: (inspection, question, field, value, scoring, n) rows, what a cache table kept
       up to date on submit / sign-off / case-detail change would hold; the report reads only it.
    """
    qn = connection.ops.quote_name
    ans, ass, case, insp = (m._meta.db_table for m in (Answer, Assessment, Case, Inspection))
    ids = ", ".join(str(int(i)) for i in inspection_ids)
    pg = connection.vendor == "postgresql"

    def key(field: str) -> str:
        return f"(c.details ->> '{field}')" if pg else f"json_extract(c.details, '$.\"{field}\"')"

    join = (f"FROM {qn(ans)} a JOIN {qn(ass)} s ON s.id = a.assessment_id JOIN {qn(case)} c ON c.id = s.case_id "
            f"WHERE c.inspection_id IN ({ids}) AND s.counts AND s.status IN ('submitted', 'signed_off') AND a.scoring <> ''")
    cols = ", ".join(f"{key(f)} AS f{k}" for k, f in enumerate(fields))
    with connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute(f"SELECT c.inspection_id, a.question_id, a.scoring, {cols}, COUNT(*) {join} "
                    f"GROUP BY {', '.join(str(k) for k in range(1, len(fields) + 4))}")
        cube = cur.fetchall()
        margins: dict[tuple[int, Any, str, str], int] = {}
        for row in cube:
            n = row[-1]
            for k in range(len(fields)):
                kk = (k, row[3 + k], row[1], row[2])
                margins[kk] = margins.get(kk, 0) + n
        log(f"  A. one-pass cube GROUP BY + marginals in Python: {time.perf_counter() - t:.2f} s ({len(cube):,} cube rows)")

        t = time.perf_counter()
        for f in fields:
            cur.execute(f"WITH cg AS {'' if pg else 'MATERIALIZED '}(SELECT s.id AS aid, {key(f)} AS g FROM {qn(ass)} s JOIN {qn(case)} c ON c.id = s.case_id "
                        f"WHERE c.inspection_id IN ({ids}) AND s.counts AND s.status IN ('submitted', 'signed_off')) "
                        f"SELECT a.question_id, cg.g, a.scoring, COUNT(*) FROM {qn(ans)} a JOIN cg ON cg.aid = a.assessment_id "
                        f"WHERE a.scoring <> '' GROUP BY 1, 2, 3")
            cur.fetchall()
        log(f"  D. subgroup read once per case (CTE), then joined: {len(fields)} GROUP BYs in {time.perf_counter() - t:.2f} s")

        t = time.perf_counter()
        cur.execute("DROP TABLE IF EXISTS bench_flat")
        cur.execute(f"CREATE {'UNLOGGED ' if pg else ''}TABLE bench_flat AS SELECT c.inspection_id AS inspection_id, a.question_id AS question_id, "
                    f"a.scoring AS scoring, {', '.join(f'{key(f)} AS {f}' for f in fields)} {join}")
        if pg:
            cur.execute("ANALYZE bench_flat")
        built = time.perf_counter() - t
        t = time.perf_counter()
        n_rows = 0
        for f in fields:
            cur.execute(f"SELECT question_id, {f}, scoring, COUNT(*) FROM bench_flat WHERE inspection_id IN ({ids}) GROUP BY 1, 2, 3")
            n_rows += len(cur.fetchall())
        log(f"  B. denormalised flat answers table: {len(fields)} GROUP BYs in {time.perf_counter() - t:.2f} s (table built in {built:.1f} s)")

        t = time.perf_counter()
        cur.execute("DROP TABLE IF EXISTS bench_counts")
        cur.execute("CREATE TABLE bench_counts (inspection_id bigint, question_id varchar(20), field varchar(64), value varchar(64), scoring varchar(12), n bigint)")
        for f in fields:
            cur.execute(f"INSERT INTO bench_counts SELECT inspection_id, question_id, '{f}', {f}, scoring, COUNT(*) FROM bench_flat GROUP BY 1, 2, 4, 5")
        cur.execute("CREATE INDEX bench_counts_idx ON bench_counts (field, inspection_id)")
        built = time.perf_counter() - t
        cur.execute("SELECT COUNT(*) FROM bench_counts")
        size = cur.fetchone()[0]
        t = time.perf_counter()
        for f in fields:
            cur.execute(f"SELECT question_id, value, scoring, SUM(n) FROM bench_counts WHERE field = '{f}' AND inspection_id IN ({ids}) GROUP BY 1, 2, 3")
            cur.fetchall()
        log(f"  C. count cache table ({size:,} rows): {len(fields)} reads in {time.perf_counter() - t:.3f} s (built from B in {built:.1f} s)")
        cur.execute("DROP TABLE bench_counts")
        cur.execute("DROP TABLE bench_flat")


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.2f} {b:.2f} {c:.2f} ({os.cpu_count()} cores)"


def comparisons(inspections: list[Inspection], repeat: int) -> dict[str, float]:
    """Issue 15's target, side by side: a one-attribute comparison on a field of the standard
    tables (gender) against another single-choice case detail (report_type), each the whole
    comparison report (``findings_report`` with that one dimension + ``report_to_dict``, what the
    compare page and ``export_findings --by`` build), report cache cleared, best of ``repeat``;
    then a two-attribute comparison (gender within licences), which groups the answers through
    the covering indexes. The count table must be current (the caller ran ``counts_ensure``)."""
    ins = scope_instrument(inspections)
    n_cases = Case.objects.filter(inspection__in=inspections).count()
    log(f"comparisons at {n_cases:,} cases, count table current, report cache cleared, best of {repeat} ... {load()}")

    def timed(dim: Any, within: Any = None, label: str = "") -> float:
        times: list[float] = []
        for _ in range(repeat):
            cache.clear()
            t = time.perf_counter()
            data = report_to_dict(findings_report(inspections=inspections, title=f"Benchmark {dim.id}", dimensions=[dim], within=within))
            times.append(time.perf_counter() - t)
            if times[-1] > 30:  # a slow path: one timing is enough to report it
                break
        log(f"  {label}: {min(times):.3f} s best of {len(times)} ({', '.join(f'{x:.3f}' for x in times)}); {data['total_cases']:,} cases")
        return min(times)

    counted = timed(custom_dimension(field="gender", groups=["male", "female"], versus_all=None, instrument=ins),
                    label="by gender (a field of the standard tables), men vs women")
    other = timed(custom_dimension(field="report_type", groups=["standard_delivery", "fast_delivery"], versus_all=None, instrument=ins),
                  label="by report_type (another single-choice case detail), standard vs fast delivery report")
    within = within_check(instrument=ins, by="gender", field="sentence_type", values=["licence_determinate", "licence_indeterminate"])
    dim = dimension_within(custom_dimension(field="gender", groups=["male", "female"], versus_all=None, instrument=ins), ins, within)
    two = timed(dim, within, label="by gender within licences (two attributes: grouped from the answers)")
    ratio = other / counted
    met = ratio <= 2 and other < 1 and counted < 1
    log(f"one-attribute comparison: report_type {other:.3f} s vs gender {counted:.3f} s = {ratio:.2f}x "
        f"(target <= 2x and < 1 s on both databases: {'MET' if met else 'MISSED'}) | two attributes {two:.3f} s = {two / counted:.1f}x gender | {load()}")
    return {"gender": counted, "report_type": other, "ratio": ratio, "within": two}


def remove(programme: Programme) -> None:
    t = time.perf_counter()
    qn = connection.ops.quote_name
    ans, ass, case = (m._meta.db_table for m in (Answer, Assessment, Case))
    ids = ", ".join(str(i) for i in programme.inspections.values_list("id", flat=True))
    with transaction.atomic(), connection.cursor() as cur:
        if ids:
            cur.execute(f"DELETE FROM {qn(ans)} WHERE assessment_id IN (SELECT s.id FROM {qn(ass)} s JOIN {qn(case)} c ON c.id = s.case_id WHERE c.inspection_id IN ({ids}))")
            cur.execute(f"DELETE FROM {qn(ass)} WHERE case_id IN (SELECT id FROM {qn(case)} WHERE inspection_id IN ({ids}))")
            cur.execute(f"DELETE FROM {qn(case)} WHERE inspection_id IN ({ids})")
            for model in (FindingsCount, FindingsCountState):
                cur.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE inspection_id IN ({ids})")
            cur.execute(f"DELETE FROM {qn(Inspection.members.through._meta.db_table)} WHERE inspection_id IN ({ids})")
            cur.execute(f"DELETE FROM {qn(Inspection._meta.db_table)} WHERE id IN ({ids})")
        cur.execute(f"DELETE FROM {qn(Programme._meta.db_table)} WHERE id = %s", [programme.pk])
    log(f"  synthetic programme removed in {time.perf_counter() - t:.1f} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument("--inspections", type=int, default=10)
    p.add_argument("--templates", type=int, default=2_000)
    p.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement; the best is reported")
    p.add_argument("--seed", type=int, default=2013)
    p.add_argument("--keep", action="store_true", help="keep the synthetic programme (it is reused by the next run)")
    p.add_argument("--proposals", action="store_true", help="also time the proposed fixes (one-pass cube, flat table, count cache)")
    p.add_argument("--sqlite-pragmas", action="store_true",
                   help="time with a 1 GB page cache, in-memory temp store and mmap (the proposed SQLite settings)")
    p.add_argument("--pg-jit-off", action="store_true", help="PostgreSQL: time the report again with SET jit = off")
    p.add_argument("--skip-report", action="store_true", help="with --proposals: time only the proposals")
    p.add_argument("--comparisons-only", action="store_true",
                   help="time only the comparisons (gender vs report_type, and gender within licences); with --keep, on the kept programme")
    args = p.parse_args()

    db = connection.settings_dict
    log(f"database: {connection.vendor} {db.get('NAME')}")
    call_command("migrate", verbosity=0)
    if args.sqlite_pragmas and connection.vendor == "sqlite":
        with connection.cursor() as cur:
            for pragma in SQLITE_PRAGMAS:
                cur.execute(pragma)
        log(f"  {'; '.join(SQLITE_PRAGMAS)}")
    prog = Programme.objects.filter(name=PROGRAMME).first()
    if prog is not None:
        n = Case.objects.filter(inspection__programme=prog).count()
        if n != args.cases:
            log(f"  an existing synthetic programme has {n:,} cases; replacing it")
            remove(prog)
            prog = None
        else:
            log(f"  reusing the kept synthetic programme ({n:,} cases)")
    if prog is None:
        log(f"generating {args.cases:,} case assessments in {args.inspections} inspections ...")
        generate(cases=args.cases, n_inspections=args.inspections, n_templates=min(args.templates, args.cases), seed=args.seed)
        prog = Programme.objects.get(name=PROGRAMME)
    inspections = list(prog.inspections.select_related("instrument").order_by("fieldwork_start"))
    n_answers = Answer.objects.filter(assessment__case__inspection__programme=prog).count()
    log(f"programme: {len(inspections)} inspections, {args.cases:,} cases, {n_answers:,} answers")

    report_times, sql_times = [], []
    t = time.perf_counter()
    rebuilt = counts_ensure(inspection_ids=[i.pk for i in inspections])
    build = time.perf_counter() - t
    n_rows = FindingsCount.objects.filter(inspection__in=inspections).count()
    log(f"findings count table brought up to date: {len(rebuilt)} inspection(s) rebuilt from their answers in {build:.1f} s "
        f"({n_rows:,} count rows; a one-off after a bulk load, kept by increments afterwards)")
    if args.comparisons_only:
        comparisons(inspections, args.repeat)
        if not args.keep:
            remove(prog)
        return
    increment_times = []
    for a in Assessment.objects.filter(case__inspection__in=inspections, counts=True).order_by("id")[:5]:
        t = time.perf_counter()
        with findings_change([a.case_id]):  # what a return, then a resubmission, costs the table
            Assessment.objects.filter(pk=a.pk).update(status="returned", updated_at=timezone.now())
        with findings_change([a.case_id]):
            Assessment.objects.filter(pk=a.pk).update(status="submitted", updated_at=timezone.now())
        increment_times.append((time.perf_counter() - t) / 2)
    log(f"one counted change kept by increment (return or submit of one case): {1000 * statistics.median(increment_times):.0f} ms median of "
        f"{len(increment_times) * 2}; stale inspections afterwards: {len(counts_ensure(inspection_ids=[i.pk for i in inspections]))}")
    if args.proposals:
        log("proposed fixes, same data (see the docstring of proposals()):")
        proposals([i.pk for i in inspections], [d.field for d in STANDARD])
        if args.skip_report:
            if not args.keep:
                remove(prog)
            return
    for _ in range(args.repeat):
        cache.clear()  # findings_report caches reports; time building them
        t = time.perf_counter()
        report = findings_report(inspections=inspections, title="Benchmark", dimensions=STANDARD)
        data = report_to_dict(report)
        report_times.append(time.perf_counter() - t)
        sql_t, sql_rows = direct_sql([i.pk for i in inspections])
        sql_times.append(sql_t)
    best, best_sql = min(report_times), min(sql_times)
    assert data["total_cases"] == args.cases, data["total_cases"]
    log(f"full aggregate report (findings_report, {len(STANDARD)} STANDARD dimensions, + report_to_dict): "
        f"{best:.2f} s best of {args.repeat} ({', '.join(f'{x:.2f}' for x in report_times)}) = {args.cases / best:,.0f} cases/s")
    log(f"direct SQL GROUP BY ({len(STANDARD)} dimensions + area + {len(ANNEX_FIELDS)} annex counts, {sql_rows} rows): "
        f"{best_sql:.2f} s best of {args.repeat} = {args.cases / best_sql:,.0f} cases/s")
    t = time.perf_counter()
    report_to_dict(findings_report(inspections=inspections, title="Benchmark", dimensions=STANDARD))
    log(f"the same report again, from the findings cache: {time.perf_counter() - t:.3f} s")
    if args.pg_jit_off and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET jit = off")
        cache.clear()
        t = time.perf_counter()
        report_to_dict(findings_report(inspections=inspections, title="Benchmark", dimensions=STANDARD))
        nojit = time.perf_counter() - t
        nojit_sql, _ = direct_sql([i.pk for i in inspections])
        log(f"with SET jit = off: report {nojit:.2f} s = {args.cases / nojit:,.0f} cases/s; direct SQL {nojit_sql:.2f} s")
    ratio = best / best_sql
    log(f"ratio report / direct SQL: {ratio:.4f}x")
    target = best < 10 and ratio <= 3
    log(f"target (<10 s and within 3x of direct SQL): {'MET' if target else 'MISSED'}")
    explain([i.pk for i in inspections])
    comparisons(inspections, args.repeat)
    if not args.keep:
        remove(prog)


if __name__ == "__main__":
    main()
