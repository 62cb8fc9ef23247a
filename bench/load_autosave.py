# ruff: noqa: E501
"""Load test on loopback: simulated assessors autosaving and analysts opening findings.

    bash scripts/with_postgres.sh .venv/bin/python bench/load_autosave.py [--assessors 50] [--seconds 60]

Prepares a database (migrate, the demonstration programme, one bench inspection with a
case per simulated assessor, each user with a TOTP authenticator), starts the application
on 127.0.0.1 with production settings (DEBUG off, two-factor on) under the production
server -- gunicorn, 3 sync worker processes (``--server waitress`` for the single-process
alternative) -- signs every simulated user in through the real sign-in and code pages,
opens each assessor's section page, then for --seconds: each assessor autosaves one
answer every 5 s, each analyst opens the inspection's findings page every 10 s. Prints
p50/p95/p99 latency and error counts per kind of request, and the machine's load average
before and after. Traffic goes to 127.0.0.1 only; bounded in count and time.

``--backup`` runs ``manage.py backup_data`` back to back through the timed run (a separate
process, as an administrator would), after padding the database with ``--backup-rows``
access-log rows so each backup takes a while; it prints each backup's time and size.

``--web-import CASES`` (issue 14's load run): before the timed run it writes a CSV of CASES
generated cases for a separate inspection ("IAOW Importshire …", a new one each run) --
the long answers file (``--import-kind answers``, the default: every case's details and
its first ``--answers-per-case`` answers, as the demo and bench/import_benchmark.py
generate them) or the case list (``--import-kind cases``). It starts the background worker
(``manage.py db_worker``, at the priority scripts/serve.sh gives it) beside the server; at
the start of the timed run a lead, signed in with password and code like everyone else,
uploads the file through the inspection's "Add cases" page and the bench polls the job's
progress page until it finishes. It prints what the result page says, how long the import
took and whether it covered the whole timed window. With ``--backup`` the same run has both.

Exit status 1 if any autosave failed, a backup failed, or the import did not finish with
what the file holds.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password-not-secret-2013"  # noqa: S105 - throw-away bench users
BASE_ENV = {
    "DJANGO_DEBUG": "0",
    "CASEASSESS_REQUIRE_2FA": "1",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "CASEASSESS_SECURE": "0",
}


#: The web answers import's upload limit (caseassess.inspections.views.WEB_ANSWERS_MAX_BYTES).
WEB_MAX_BYTES = 100 * 1024 * 1024
#: The web case import's limit (caseassess.inspections.services.MAX_UPLOAD_BYTES).
CASES_MAX_BYTES = 5 * 1024 * 1024


def import_file(ins: Any, kind: str, cases: int, answers_per_case: int, path: Path, fieldwork: Any) -> tuple[int, int]:
    """Write the web import's CSV: (cases, answer rows). Generated cases (the demo's
    generators, a pool of templates copied as bench/import_benchmark.py does)."""
    import csv
    import random

    from caseassess.inspections.demo import random_answers, random_case_details
    from caseassess.reporting.dataexchange import cell

    rng = random.Random(2014)
    pool = []
    for _ in range(min(cases, 400)):
        details = random_case_details(ins, rng, fieldwork_start=fieldwork)
        answers = list(random_answers(ins, details, rng, quality=rng.uniform(0.55, 0.8)).items())
        pool.append((details, answers[:answers_per_case] if answers_per_case else answers))
    detail_ids = [f.id for f in ins.case_details]
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["case_ref", *detail_ids] if kind == "cases" else ["case_ref", "question_id", "answer", *detail_ids])
        for k in range(cases):
            details, answers = pool[k % len(pool)]
            ref = f"WI{k + 1:07d}"
            cells = [cell(details.get(f)) for f in detail_ids]
            if kind == "cases":
                w.writerow([ref, *cells])
                continue
            for i, (q, v) in enumerate(answers):
                w.writerow([ref, q, cell(v), *(cells if i == 0 else [""] * len(detail_ids))])
            rows += len(answers)
    return cases, rows


def prepare(assessors: int, analysts: int, backup_rows: int = 0, web_import: int = 0, import_kind: str = "answers",
            answers_per_case: int = 20) -> dict[str, Any]:
    import django

    django.setup()
    import datetime as dt

    from django.conf import settings
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from caseassess.accounts.models import User
    from caseassess.inspections.demo import load_demo
    from caseassess.inspections.models import Area, Inspection, Programme
    from caseassess.inspections.services import case_add
    from caseassess.instruments.services import instrument_load

    call_command("migrate", verbosity=0, interactive=False)
    load_demo(cases_per_inspection=24)
    version = instrument_load(path=settings.INSTRUMENTS_DIR / "iaow-2013-10").version
    insp = Inspection.objects.filter(name="IAOW Benchshire").first()
    if insp is None:
        insp = Inspection.objects.create(
            programme=Programme.objects.first() or Programme.objects.create(name="Bench"),
            name="IAOW Benchshire",
            area=Area.objects.get_or_create(name="Benchshire Probation Trust")[0],
            topic="protecting children",
            fieldwork_start=dt.date(2014, 3, 3),
            fieldwork_end=dt.date(2014, 3, 7),
            instrument=version,
        )
    lead = User.objects.get(username="lead")
    insp.members.add(lead, through_defaults={"role": "lead_inspector"})
    users: dict[str, Any] = {"assessors": [], "analysts": [], "inspection": insp.pk}
    for i in range(assessors + analysts):
        role = "assessor" if i < assessors else "analyst"
        name = f"bench-{role}-{i:03d}"
        user = User.objects.filter(username=name).first()
        if user is None:
            account = "inspector" if role == "assessor" else "analyst"
            user = User.objects.create_user(username=name, password=PASSWORD, role=account)
        insp.members.add(user, through_defaults={"role": role})
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="bench", confirmed=True
        )
        entry: dict[str, Any] = {"username": name, "key": device.bin_key, "device_id": device.pk}
        if role == "assessor":
            ref = f"BENCH-{i:03d}"
            case = insp.cases.filter(case_ref=ref).first() or case_add(
                inspection=insp, actor=lead, case_ref=ref, assessor=user
            )
            entry["assessment"] = case.assessments.get().pk
            users["assessors"].append(entry)
        else:
            users["analysts"].append(entry)
    from caseassess.instruments.selectors import instrument_get

    instrument = instrument_get(version=version)
    section, q = next(
        (s, q)
        for s in instrument.sections()
        for q in s.questions
        if q.type.value == "single_choice" and not q.applies_when and instrument.options_for(q)
    )
    users["section"], users["question"] = section.id, q.id
    users["values"] = [o.value for o in instrument.options_for(q)]
    if backup_rows:
        from caseassess.audit.models import AccessLog

        have = AccessLog.objects.filter(kind="bench").count()
        for start in range(have, backup_rows, 20_000):
            AccessLog.objects.bulk_create(
                [AccessLog(user=lead, kind="bench", case_id=k, inspection_id=insp.pk, path=f"/bench/{k}/")
                 for k in range(start, min(backup_rows, start + 20_000))]
            )
    if web_import:
        # A lead of a separate inspection (another area) imports into it: the autosaves'
        # inspection and its findings counts are not the import's.
        importer = User.objects.filter(username="bench-lead").first() or User.objects.create_user(
            username="bench-lead", password=PASSWORD, role="inspector")
        target = Inspection.objects.create(
            programme=insp.programme, name=f"IAOW Importshire {dt.datetime.now():%Y-%m-%d %H%M%S}",
            area=Area.objects.get_or_create(name="Importshire Probation Trust")[0], topic="protecting children",
            fieldwork_start=dt.date(2014, 3, 10), fieldwork_end=dt.date(2014, 3, 14), instrument=version,
        )
        target.members.add(importer, through_defaults={"role": "lead_inspector"})
        device = TOTPDevice.objects.filter(user=importer, confirmed=True).first() or TOTPDevice.objects.create(
            user=importer, name="bench", confirmed=True)
        path = Path(os.environ.get("CASEASSESS_VAR_DIR", "/tmp")) / f"bench-web-import-{import_kind}.csv"
        n_cases, n_rows = import_file(instrument, import_kind, web_import, answers_per_case, path, target.fieldwork_start)
        users["importer"] = {"username": importer.username, "key": device.bin_key, "device_id": device.pk}
        users["import"] = {"inspection": target.pk, "name": target.name, "path": str(path), "cases": n_cases,
                           "rows": n_rows, "kind": import_kind, "bytes": path.stat().st_size}
    return users


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Session:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, str]:
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + "/", **(headers or {})}
        )
        try:
            with self.opener.open(req, timeout=60 if body and len(body) > 1_000_000 else 30) as r:
                self.url = r.geturl()  # after redirects
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            self.url = e.geturl()
            return e.code, e.read().decode("utf-8", "replace")

    def upload(self, path: str, token: str, name: str, data: bytes) -> tuple[int, str]:
        """A file posted as a browser posts the form (multipart/form-data)."""
        b = secrets.token_hex(16)
        body = (f'--{b}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
                f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
        return self.request(path, headers={"Content-Type": f"multipart/form-data; boundary={b}"}, body=body)

    def csrf(self, html: str) -> str:
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not m:
            raise RuntimeError("no CSRF token on the page")
        return m.group(1)


def totp(key: bytes) -> str:
    from django_otp.oath import totp as oath_totp

    return f"{oath_totp(key):06d}"


def sign_in(base: str, user: dict[str, Any]) -> Session:
    s = Session(base)
    _, html = s.request("/account/sign-in/")
    status, html = s.request(
        "/account/sign-in/", {"csrfmiddlewaretoken": s.csrf(html), "username": user["username"], "password": PASSWORD}
    )
    if "/account/two-factor/" not in html and "security code" not in html.lower():
        raise RuntimeError(f"{user['username']}: sign-in did not reach the code page ({status})")
    status, html = s.request("/account/two-factor/", {"csrfmiddlewaretoken": s.csrf(html), "code": totp(user["key"])})
    if status != 200 or "Signed in as" not in html:
        raise RuntimeError(f"{user['username']}: the code was refused ({status})")
    return s


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--assessors", type=int, default=50)
    ap.add_argument("--analysts", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--autosave-every", type=float, default=5)
    ap.add_argument("--report-every", type=float, default=10)
    ap.add_argument(
        "--pages-in-run",
        action="store_true",
        help="open the section pages inside the timed run, all at its start (a burst: the worst case)",
    )
    ap.add_argument("--backup", action="store_true", help="run backup_data back to back during the timed run")
    ap.add_argument("--backup-rows", type=int, default=300_000, help="with --backup: access-log rows to pad with")
    ap.add_argument("--web-import", type=int, default=0, metavar="CASES",
                    help="a lead uploads a file of CASES cases through the web page at the start of the timed run")
    ap.add_argument("--import-kind", choices=["answers", "cases"], default="answers",
                    help="with --web-import: the answers import (long CSV, the default) or the case import")
    ap.add_argument("--answers-per-case", type=int, default=20,
                    help="with --import-kind answers: each case's first N answers (0: all, about 93)")
    ap.add_argument("--worker-nice", type=int, default=int(os.environ.get("CASEASSESS_WORKER_NICE", "10")),
                    help="the background worker's niceness, as scripts/serve.sh starts it (default 10)")
    ap.add_argument("--import-timeout", type=float, default=1800, help="seconds to wait for the import to finish")
    ap.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    ap.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    ap.add_argument(
        "--threads", type=int, default=None, help="threads per process (waitress: 8; gunicorn: 1 = sync, >1 = gthread)"
    )
    args = ap.parse_args()
    if not (1 <= args.assessors <= 200 and 0 <= args.analysts <= 10 and 1 <= args.seconds <= 600):
        raise SystemExit("bounded: at most 200 assessors, 10 analysts, 600 seconds")
    if not 0 <= args.backup_rows <= 2_000_000:
        raise SystemExit("bounded: at most 2,000,000 padding rows")
    if not 1 <= args.workers <= 8:
        raise SystemExit("bounded: 1 to 8 workers")
    if not (0 <= args.web_import <= 100_000 and 0 <= args.answers_per_case <= 500 and 0 <= args.worker_nice <= 19):
        raise SystemExit("bounded: at most 100,000 imported cases; --worker-nice 0 to 19")
    nthreads = args.threads or (8 if args.server == "waitress" else 1)

    os.environ.update(BASE_ENV)
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("CASEASSESS_BACKUP_KEY", secrets.token_hex(32))
    db = os.environ.get("DATABASE_URL", "")
    if not db:
        var = Path(os.environ.setdefault("CASEASSESS_VAR_DIR", str(ROOT / "var" / "bench")))
        var.mkdir(parents=True, exist_ok=True)
    users = prepare(args.assessors, args.analysts, args.backup_rows if args.backup else 0,
                    args.web_import, args.import_kind, args.answers_per_case)
    imp = users.get("import")
    if imp:
        print(f"web import file: {imp['cases']:,} cases" + (f", {imp['rows']:,} answer rows" if imp["kind"] == "answers" else "")
              + f", {imp['bytes'] / 1e6:.1f} MB ({imp['kind']} import) for {imp['name']}")
        if imp["kind"] == "answers" and imp["bytes"] > WEB_MAX_BYTES:
            raise SystemExit("the file is larger than the web page takes (100 MB): lower --answers-per-case")
        if imp["kind"] == "cases" and imp["bytes"] > CASES_MAX_BYTES:
            raise SystemExit("the file is larger than the case import page takes (5 MB, about 25,000 cases): "
                             "use --import-kind answers (the default) for 60,000 cases")
    logs = Path(os.environ.get("CASEASSESS_VAR_DIR", "/tmp"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if args.server == "waitress":
        command = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", f"--threads={nthreads}"]
        label = f"waitress (1 process, {nthreads} threads)"
    else:
        # The production command (docs/security.md), on a free loopback port.
        command = [sys.executable, "-m", "gunicorn", f"--bind=127.0.0.1:{port}", f"--workers={args.workers}"]
        if nthreads > 1:
            command += ["--worker-class=gthread", f"--threads={nthreads}"]
        label = f"gunicorn ({args.workers} {'gthread' if nthreads > 1 else 'sync'} workers" + (
            f", {nthreads} threads each)" if nthreads > 1 else ")"
        )
    server = subprocess.Popen(
        [*command, "config.wsgi:application"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=open(logs / "bench-server.log", "wb"),  # noqa: SIM115 - the server's lifetime
    )
    worker = None
    if imp:
        # The background worker, as scripts/serve.sh starts it (lower priority than the web workers).
        worker = subprocess.Popen(
            ["nice", "-n", str(args.worker_nice), sys.executable, "manage.py", "db_worker", "--no-reload", "-v", "1"],
            cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
            stderr=open(logs / "bench-worker.log", "wb"),  # noqa: SIM115 - the worker's lifetime
        )
    failed: list[str] = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"{label} on {base}; database: {'PostgreSQL' if db.startswith('postgres') else 'SQLite'}")
        sessions = {u["username"]: sign_in(base, u) for u in users["assessors"] + users["analysts"]
                    + ([users["importer"]] if imp else [])}
        print(f"{len(sessions)} users signed in (password + TOTP)")
        # By default each assessor opens their section page before the clock starts: the
        # timed part is the steady state of autosaving. --pages-in-run opens all 50 pages in
        # the first second of the timed run instead (as the bench did before).
        pages: dict[str, tuple[str, str]] = {}

        def open_page(u: dict[str, Any]) -> None:
            s = sessions[u["username"]]
            _, html = s.request(f"/assessments/{u['assessment']}/sections/{users['section']}/")
            m = re.search(rf'name="v-{re.escape(users["question"])}" value="(\d+)"', html)
            pages[u["username"]] = (s.csrf(html), m.group(1) if m else "0")

        if not args.pages_in_run:
            for u in users["assessors"]:
                open_page(u)
        imported: dict[str, Any] = {}
        if imp:
            lead_s = sessions[users["importer"]["username"]]
            _, html = lead_s.request(f"/inspections/{imp['inspection']}/cases/new/")
            import_token = lead_s.csrf(html)
            import_data = Path(imp["path"]).read_bytes()
        results: dict[str, list[tuple[float, int]]] = {"autosave": [], "report": []}
        lock = threading.Lock()
        load_before = os.getloadavg()
        start = time.monotonic()
        end = start + args.seconds
        insp = users["inspection"]

        def assessor(i: int, u: dict[str, Any]) -> None:
            s = sessions[u["username"]]
            path = f"/assessments/{u['assessment']}/sections/{users['section']}/"
            if args.pages_in_run:
                open_page(u)
            token, version = pages[u["username"]]
            t = start + (i % 50) * args.autosave_every / 50  # spread the first saves over one period
            n = 0
            while t < end:
                time.sleep(max(0.0, t - time.monotonic()))
                value = users["values"][n % len(users["values"])]
                data = {
                    "csrfmiddlewaretoken": token,
                    f"q-{users['question']}": value,
                    f"v-{users['question']}": version,
                    "client_stamp": str(int(time.time() * 1000)),
                    "client_tab": f"bench-{u['username']}",
                    "autosave": "1",
                }
                t0 = time.perf_counter()
                status, body = s.request(path, data, {"X-Autosave": "1", "Accept": "application/json"})
                dt_ms = (time.perf_counter() - t0) * 1000
                # The autosave answers JSON (static/caseassess/autosave.js reads it).
                m = re.search(rf'"v-{re.escape(users["question"])}": (\d+)', body)
                ok = status == 200 and '"state": "saved"' in body
                if m:
                    version = m.group(1)
                with lock:
                    results["autosave"].append((dt_ms, 0 if ok else status or -1))
                n += 1
                t += args.autosave_every

        def analyst(i: int, u: dict[str, Any]) -> None:
            s = sessions[u["username"]]
            t = start + i * args.report_every / max(1, args.analysts)
            while t < end:
                time.sleep(max(0.0, t - time.monotonic()))
                t0 = time.perf_counter()
                status, body = s.request(f"/findings/inspections/{insp}/")
                dt_ms = (time.perf_counter() - t0) * 1000
                with lock:
                    results["report"].append((dt_ms, 0 if status == 200 and "Findings" in body else status or -1))
                t += args.report_every

        backups: list[tuple[float, int, int]] = []

        def web_import() -> None:
            """The lead uploads the file on the inspection's page, then watches the job's page."""
            kind = "assessments" if imp["kind"] == "answers" else "cases"
            t0 = time.monotonic()
            imported["start"] = t0 - start
            status, html = lead_s.upload(f"/inspections/{imp['inspection']}/{kind}/import/", import_token,
                                         Path(imp["path"]).name, import_data)
            imported["upload_s"] = time.monotonic() - t0
            m = re.search(r"/jobs/[0-9a-f-]{36}/", getattr(lead_s, "url", ""))
            if status != 200 or not m:
                errs = re.findall(r"<li>(.*?)</li>", html)[:3]
                imported.update(outcome="refused by the upload page", status=status, errors=errs, end=time.monotonic() - start)
                return
            job, phases = m.group(0), []
            while time.monotonic() < t0 + args.import_timeout:
                time.sleep(1)
                status, html = lead_s.request(job)
                tag = re.search(r'id="job-status">\s*<strong class="govuk-tag[^"]*">([^<]+)</strong>', html)
                label = tag.group(1).strip() if tag else f"HTTP {status}"
                phase = re.search(r'id="job-phase">([^<]*)<', html)
                if phase and (not phases or phases[-1][1] != phase.group(1)):
                    phases.append((time.monotonic() - t0, phase.group(1)))
                if label in ("Finished", "Failed", "Refused", "Not found"):
                    title = re.search(r'govuk-panel__title">\s*([^<]+?)\s*<', html)
                    body = re.search(r'govuk-panel__body">\s*([^<]+?)\s*<', html)
                    imported.update(outcome=label, title=title.group(1) if title else "", body=body.group(1) if body else "",
                                    errors=re.findall(r"<li>(.*?)</li>", html)[:3] if label != "Finished" else [])
                    break
            else:
                imported["outcome"] = f"not finished after {args.import_timeout:g} s"
            imported.update(end=time.monotonic() - start, seconds=time.monotonic() - t0, phases=phases, job=job)

        def backup_loop() -> None:
            out = Path(os.environ.get("CASEASSESS_VAR_DIR", "/tmp")) / "bench-backup.jsonl"
            while time.monotonic() < end:
                t0 = time.perf_counter()
                done = subprocess.run([sys.executable, "manage.py", "backup_data", str(out)], cwd=ROOT,
                                      env=os.environ.copy(), capture_output=True, text=True, timeout=600)
                backups.append((time.perf_counter() - t0, done.returncode, out.stat().st_size if out.exists() else 0))
                if done.returncode:
                    print("backup failed:", done.stderr.strip().splitlines()[-1:])
            out.unlink(missing_ok=True)

        threads = [threading.Thread(target=assessor, args=(i, u)) for i, u in enumerate(users["assessors"])]
        if args.backup:
            threads.append(threading.Thread(target=backup_loop, name="backup"))
        if imp:
            threads.append(threading.Thread(target=web_import, name="import"))
        threads += [threading.Thread(target=analyst, args=(i, u)) for i, u in enumerate(users["analysts"])]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=args.seconds + {"backup": 900, "import": args.import_timeout + 120}.get(th.name, 120))
        wall = time.monotonic() - start
        load_after = os.getloadavg()
        print(
            f"ran {wall:.0f} s: {args.assessors} assessors autosaving every {args.autosave_every:g} s, "
            f"{args.analysts} analysts opening findings every {args.report_every:g} s"
        )
        print(f"{'kind':10} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for kind, rows in results.items():
            lat = [r[0] for r in rows]
            errors = [r[1] for r in rows if r[1]]
            print(
                f"{kind:10} {len(rows):8d} {len(errors):6d} "
                f"{pct(lat, 50):8.0f} {pct(lat, 95):8.0f} {pct(lat, 99):8.0f} "
                f"{(max(lat) if lat else float('nan')):8.0f}" + (f"  statuses {sorted(set(errors))}" if errors else "")
            )
        if lat := [r[0] for r in results["autosave"]]:
            print(f"autosave mean {statistics.mean(lat):.0f} ms")
        if backups:
            times = [b[0] for b in backups]
            print(f"backups during the run: {len(backups)} ({sum(1 for b in backups if b[1])} failed); "
                  f"each {min(times):.1f}-{max(times):.1f} s, {backups[-1][2] / 1e6:.0f} MB")
            if any(b[1] for b in backups):
                failed.append("a backup failed")
        elif args.backup:
            failed.append("no backup finished")
        if imp:
            outcome = imported.get("outcome", "no outcome (the import thread did not finish)")
            print(f"web import ({imp['kind']}, {imp['cases']:,} cases, {imp['bytes'] / 1e6:.1f} MB, worker at nice "
                  f"{args.worker_nice}): {outcome}" + (f": {imported['title']}" if imported.get("title") else "")
                  + (f" ({imported['body']})" if imported.get("body") else ""))
            for e in imported.get("errors", []):
                print(f"  {e}")
            if "seconds" in imported:
                a, b = imported["start"], imported["end"]
                covered = a <= 1 and b >= args.seconds
                print(f"  upload {imported['upload_s']:.1f} s; finished {imported['seconds']:.1f} s after the upload began; "
                      f"ran from {a:.1f} s to {b:.1f} s of the {args.seconds:g} s timed window: "
                      + ("it covered the whole window" if covered
                         else f"it covered {max(0.0, min(b, args.seconds) - a):.0f} s of it (NOT the whole window)"))
                for when, phase in imported.get("phases", [])[:: max(1, len(imported.get("phases", [])) // 8)]:
                    print(f"    +{when:5.1f} s  {phase}")
            n_ok = imp["cases"] if imp["kind"] == "cases" else imp["rows"]
            want = f"{n_ok:,} {'cases' if imp['kind'] == 'cases' else 'rows'} imported"
            new_cases = re.match(r"([\d,]+) new cases", imported.get("body", ""))
            if outcome != "Finished" or imported.get("title") != want or (
                    imp["kind"] == "answers" and (not new_cases or new_cases.group(1) != f"{imp['cases']:,}")):
                failed.append(f"the web import did not finish with the file's content (expected '{want}')")
                print(f"  the worker's log: {logs / 'bench-worker.log'}")
        bad = [r for r in results["autosave"] if r[1]]
        if bad:
            failed.append(f"{len(bad)} autosave(s) failed")
        before, after = (" ".join(f"{x:.2f}" for x in la) for la in (load_before, load_after))
        print(f"load average (1, 5, 15 min) before the timed run: {before}; after: {after}")
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    if failed:
        print("FAILED: " + "; ".join(failed))
        raise SystemExit(1)
    print("OK: no autosave failed" + ("; the import finished with the file's content" if imp else ""))


if __name__ == "__main__":
    main()
