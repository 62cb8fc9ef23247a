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


def prepare(assessors: int, analysts: int, backup_rows: int = 0) -> dict[str, Any]:
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
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + "/", **(headers or {})}
        )
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

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
    nthreads = args.threads or (8 if args.server == "waitress" else 1)

    os.environ.update(BASE_ENV)
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("CASEASSESS_BACKUP_KEY", secrets.token_hex(32))
    db = os.environ.get("DATABASE_URL", "")
    if not db:
        var = Path(os.environ.setdefault("CASEASSESS_VAR_DIR", str(ROOT / "var" / "bench")))
        var.mkdir(parents=True, exist_ok=True)
    users = prepare(args.assessors, args.analysts, args.backup_rows if args.backup else 0)
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
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"{label} on {base}; database: {'PostgreSQL' if db.startswith('postgres') else 'SQLite'}")
        sessions = {u["username"]: sign_in(base, u) for u in users["assessors"] + users["analysts"]}
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
                    "autosave": "1",
                }
                t0 = time.perf_counter()
                status, body = s.request(path, data, {"HX-Request": "true"})
                dt_ms = (time.perf_counter() - t0) * 1000
                ok = status == 200 and "Saved at" in body
                m = re.search(rf'name="v-{re.escape(users["question"])}" value="(\d+)"', body)
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
        threads += [threading.Thread(target=analyst, args=(i, u)) for i, u in enumerate(users["analysts"])]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=args.seconds + (900 if th.name == "backup" else 120))
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
        before, after = (" ".join(f"{x:.2f}" for x in la) for la in (load_before, load_after))
        print(f"load average (1, 5, 15 min) before the timed run: {before}; after: {after}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
