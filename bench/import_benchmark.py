# ruff: noqa: E501
"""Import benchmark: a long CSV of N answer rows -> ``import_assessments``, side by side
with a raw bulk insert of the same rows into the same tables.

    CASEASSESS_VAR_DIR=/tmp/ibench .venv/bin/python bench/import_benchmark.py --answers 1000000
    bash scripts/with_postgres.sh .venv/bin/python bench/import_benchmark.py --answers 1000000

In one run, on the configured database (migrations are run first):

1. generates the file: synthetic IAOW cases (``--templates`` generated cases, copied),
   every answer a row, the case details on each case's first row;
2. **raw bulk insert** of the same cases, assessments and answer rows into the same
   tables (PostgreSQL ``COPY``, SQLite ``executemany``), one transaction: the floor;
3. **import** of the file (``manage.py import_assessments`` in its own process: its time,
   peak resident memory), then ``rebuild_findings_counts --check`` (must exit 0, with no
   rebuild needed);
4. **read and check only** (``--dry-run``) and a **re-import** of the same file (nothing
   changes);
5. the file with **one bad row at the end**: refused, nothing written;
6. a **one-attribute comparison** on a field outside the standard tables
   (``report_type``) against a standard one (``gender``), report cache cleared, and the
   same comparison grouped from the answers (the path before every field was counted).

Prints every figure with the load average, and the ratios the issue asks for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
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
from caseassess.reporting.counts import counts_stale  # noqa: E402
from caseassess.reporting.dataexchange import cell  # noqa: E402
from caseassess.reporting.models import FindingsCount, FindingsCountState  # noqa: E402
from caseassess.reporting.selectors import answer_counts_live, custom_dimension, findings_report  # noqa: E402
from caseassess_core.scoring.assess import CaseScorer  # noqa: E402

PROGRAMME = "Import benchmark (synthetic)"
START = dt.date(2014, 3, 3)


def log(msg: str) -> None:
    print(msg, flush=True)


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.2f} {b:.2f} {c:.2f} ({os.cpu_count()} cores)"


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        else:
            cur.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def remove_programme() -> None:
    prog = Programme.objects.filter(name=PROGRAMME).first()
    if prog is None:
        return
    t = time.perf_counter()
    ids = ", ".join(str(i) for i in prog.inspections.values_list("id", flat=True))
    ans, ass, case = (m._meta.db_table for m in (Answer, Assessment, Case))
    with transaction.atomic(), connection.cursor() as cur:
        if ids:
            cur.execute(f"DELETE FROM {qn(ans)} WHERE assessment_id IN (SELECT s.id FROM {qn(ass)} s JOIN {qn(case)} c ON c.id = s.case_id WHERE c.inspection_id IN ({ids}))")
            cur.execute(f"DELETE FROM {qn(ass)} WHERE case_id IN (SELECT id FROM {qn(case)} WHERE inspection_id IN ({ids}))")
            cur.execute(f"DELETE FROM {qn(case)} WHERE inspection_id IN ({ids})")
            for model in (FindingsCount, FindingsCountState):
                cur.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE inspection_id IN ({ids})")
            cur.execute(f"DELETE FROM {qn(Inspection._meta.db_table)} WHERE id IN ({ids})")
        cur.execute(f"DELETE FROM {qn(Programme._meta.db_table)} WHERE id = %s", [prog.pk])
    log(f"  previous synthetic programme removed in {time.perf_counter() - t:.1f} s")


def manage(*args: str) -> tuple[int, str, float]:
    """Run a command in its own process (as a person would); (exit status, output, seconds)."""
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr, time.perf_counter() - t


def reported(out: str) -> tuple[float, float]:
    """The command's own figures: seconds in the command and peak memory (MB)."""
    m = re.search(r"([\d.]+) s \([\d,]+ rows/s\), peak memory ([\d,]+) MB", out)
    if not m:
        raise SystemExit(f"could not read the command's figures from:\n{out[-2000:]}")
    return float(m.group(1)), float(m.group(2).replace(",", ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--answers", type=int, default=1_000_000)
    ap.add_argument("--templates", type=int, default=600)
    ap.add_argument("--seed", type=int, default=2015)
    ap.add_argument("--keep", action="store_true", help="keep the synthetic programme and the file")
    args = ap.parse_args()
    db = connection.settings_dict
    log(f"import_benchmark: {args.answers:,} answer rows on {connection.vendor} ({db['NAME']}), {dt.datetime.now():%Y-%m-%d %H:%M}, {load()}")
    call_command("migrate", verbosity=0)
    remove_programme()
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    ins = instrument_get(version=version)
    scorer = CaseScorer(ins, instrument_expressions(version=version))
    prog = Programme.objects.create(name=PROGRAMME, description="bench/import_benchmark.py")
    area, _ = Area.objects.get_or_create(name="Benchmark Probation Trust")
    raw_insp, imp_insp = (Inspection.objects.create(programme=prog, name=name, area=area, fieldwork_start=START,
                                                    fieldwork_end=START + dt.timedelta(days=4), instrument=version)
                          for name in ("IMPORT RAW", "IMPORT BENCH"))

    # 1. the file
    t = time.perf_counter()
    rng = random.Random(args.seed)
    pool = []
    for _ in range(args.templates):
        details = random_case_details(ins, rng, fieldwork_start=START)
        answers = random_answers(ins, details, rng, quality=rng.uniform(0.55, 0.8))
        scorings = scorer(details, answers)
        pool.append((details, [(q, v, scorings[q]) for q, v in answers.items()]))
    detail_ids = [f.id for f in ins.case_details]
    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    path = tmp / "answers.csv"
    plan: list[int] = []
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        import csv

        w = csv.writer(fh)
        w.writerow(["case_ref", "question_id", "answer", *detail_ids])
        k = 0
        while n < args.answers:
            j = rng.randrange(len(pool))
            details, rows = pool[j]
            rows = rows[: args.answers - n]
            plan.append(j)
            ref = f"IB{k + 1:07d}"
            for i, (q, v, _) in enumerate(rows):
                w.writerow([ref, q, cell(v), *((cell(details.get(f)) for f in detail_ids) if i == 0 else [""] * len(detail_ids))])
            n += len(rows)
            k += 1
    size = path.stat().st_size
    log(f"1. file: {n:,} answer rows, {len(plan):,} cases, {size / 1e6:,.0f} MB, written in {time.perf_counter() - t:.1f} s")

    # 2. raw bulk insert of the same rows
    now = timezone.now()
    now_db = connection.ops.adapt_datetimefield_value(now)
    log(f"2. raw bulk insert ({'COPY' if connection.vendor == 'postgresql' else 'executemany'}) ... {load()}")
    t = time.perf_counter()
    with transaction.atomic():
        cases = Case.objects.bulk_create([Case(inspection=raw_insp, case_ref=f"IB{k + 1:07d}", details=pool[j][0]) for k, j in enumerate(plan)], batch_size=5000)
        assessments = Assessment.objects.bulk_create([Assessment(case=c, status="submitted", submitted_at=now, counts=True) for c in cases], batch_size=5000)
        batch: list[tuple[Any, ...]] = []
        cols = ["assessment_id", "question_id", "value", "scoring", "comment", "version", "client_stamp", "updated_by_id", "updated_at"]
        left = n
        for a, j in zip(assessments, plan, strict=True):
            for q, v, s in pool[j][1][:left]:
                batch.append((a.pk, q, json.dumps(v), s, "", 1, 0, None, now_db))
            left -= min(left, len(pool[j][1]))
            if len(batch) >= 50_000:
                insert(Answer._meta.db_table, cols, batch)
                batch = []
        insert(Answer._meta.db_table, cols, batch)
    raw = time.perf_counter() - t
    log(f"   {n:,} rows in {raw:.1f} s ({n / raw:,.0f} rows/s)")

    # 3. the import
    name = imp_insp.name
    log(f"3. import_assessments ... {load()}")
    code, out, wall = manage("import_assessments", "--instrument", "iaow-2013-10", "--inspection", name, "--no-progress", "-v", "2", str(path))
    if code != 0:
        raise SystemExit(out[-3000:])
    imp, rss = reported(out)
    log(f"   {out.strip().splitlines()[-3]}")
    log(f"   {out.strip().splitlines()[-1]}")
    log(f"   {imp:.1f} s in the command ({wall:.1f} s with start-up), peak resident memory {rss:,.0f} MB; {load()}")
    stale = counts_stale(inspection_ids=[imp_insp.pk])[0]
    code_check, out_check, t_check = manage("rebuild_findings_counts", "--check", "--inspection", name)
    log(f"   count table current after the import: {'yes' if not stale else 'NO'}; rebuild_findings_counts --check exit {code_check} "
        f"({t_check:.1f} s): {out_check.strip().splitlines()[-1]}")

    # 4. read and check only, then a re-import
    log(f"4. read and check only (--dry-run) ... {load()}")
    code, out, _ = manage("import_assessments", "--instrument", "iaow-2013-10", "--inspection", name, "--no-progress", "--dry-run", str(path))
    read, rss_read = reported(out)
    log(f"   {read:.1f} s, peak {rss_read:,.0f} MB")
    code, out, _ = manage("import_assessments", "--instrument", "iaow-2013-10", "--inspection", name, "--no-progress", "-v", "2", str(path))
    reimp, rss_re = reported(out)
    log(f"   re-import of the same file: {reimp:.1f} s, peak {rss_re:,.0f} MB: {out.strip().splitlines()[-3]}")
    log(f"   {out.strip().splitlines()[-1]}")

    # 5. one bad row at the end
    bad = tmp / "answers-bad.csv"
    with open(path, "rb") as src, open(bad, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.write(f"IB0000001,{pool[plan[0]][1][0][0]},perhaps{',' * len(detail_ids)}\n".encode())
    before = Answer.objects.count()
    t = time.perf_counter()
    code, out, wall_bad = manage("import_assessments", "--instrument", "iaow-2013-10", "--inspection", name, "--no-progress", str(bad))
    first = next((line for line in out.splitlines() if line.startswith("Row ")), out[-300:])
    log(f"5. one bad row at the end: exit {code} in {wall_bad:.1f} s (start-up included); {first}; answers written: {Answer.objects.count() - before}")

    # 6. comparisons
    log(f"6. comparisons at {len(plan):,} cases ... {load()}")

    def timed(field: str, groups: list[str]) -> float:
        best = 1e9
        for _ in range(3):
            cache.clear()
            dim = custom_dimension(field=field, groups=groups, versus_all=None, instrument=ins)
            t = time.perf_counter()
            findings_report(inspections=[imp_insp], title=f"bench {field}", dimensions=[dim])
            best = min(best, time.perf_counter() - t)
        return best

    counted = timed("gender", ["male", "female"])
    other = timed("report_type", ["standard_delivery", "fast_delivery"])
    t = time.perf_counter()
    answer_counts_live(inspections=[imp_insp], by="report_type")
    live = time.perf_counter() - t
    log(f"   report by gender (a standard field) {counted:.2f} s; by report_type {other:.2f} s (ratio {other / counted:.2f}); "
        f"report_type grouped from the answers instead {live:.2f} s")

    log("")
    log(f"SUMMARY {connection.vendor}, {n:,} rows, {len(plan):,} cases, {dt.datetime.now():%Y-%m-%d %H:%M}, {load()}")
    log(f"  raw bulk insert {raw:.1f} s | import {imp:.1f} s = {imp / raw:.2f}x raw (target <= 3x{', < 60 s' if connection.vendor == 'postgresql' else ''})")
    log(f"  read+check {read:.1f} s | re-import {reimp:.1f} s = {reimp / read:.2f}x read (target <= 2x)")
    log(f"  bad row at the end {wall_bad:.1f} s (with start-up) vs import {wall:.1f} s (with start-up)")
    log(f"  peak resident memory: import {rss:,.0f} MB, re-import {rss_re:,.0f} MB (target < 500 MB)")
    log(f"  count table current after import: {not stale}; --check exit {code_check}")
    log(f"  one-attribute comparison: report_type {other:.2f} s vs gender {counted:.2f} s = {other / counted:.2f}x (target <= 2x, < 1 s)")
    if not args.keep:
        remove_programme()
        for p in (path, bad):
            p.unlink(missing_ok=True)
        tmp.rmdir()


if __name__ == "__main__":
    main()
