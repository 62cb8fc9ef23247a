"""Profile one autosave request in-process: time, queries and where the CPU goes.

    bash scripts/with_postgres.sh .venv/bin/python bench/profile_autosave.py [--requests 200] [--profile]

Prepares the same database as bench/load_autosave.py (one assessor is enough), signs the
assessor in through the real password and code pages with Django's test client and
production settings (DEBUG off, two-factor on), then sends --requests autosaves of one
answer, alternating its value, exactly as the page's script does. Prints the mean and
median time per request, the queries of one autosave (``CaptureQueriesContext``) and,
with --profile, the functions with the most cumulative CPU time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_autosave import BASE_ENV, PASSWORD, prepare, totp  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    ap.add_argument("--sql", action="store_true", help="print the SQL of one autosave")
    args = ap.parse_args()
    os.environ.update(BASE_ENV)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    if not os.environ.get("DATABASE_URL"):
        var = Path(os.environ.setdefault("CASEASSESS_VAR_DIR", str(ROOT / "var" / "bench")))
        var.mkdir(parents=True, exist_ok=True)
    users = prepare(1, 0)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    u = users["assessors"][0]
    c = Client()
    html = c.get("/account/sign-in/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    c.post("/account/sign-in/", {"csrfmiddlewaretoken": token, "username": u["username"], "password": PASSWORD})
    r = c.post("/account/two-factor/", {"code": totp(u["key"])}, follow=True)
    assert "Signed in as" in r.content.decode(), "sign-in failed"
    q = users["question"]
    path = f"/assessments/{u['assessment']}/sections/{users['section']}/"
    html = c.get(path).content.decode()
    m = re.search(rf'name="v-{re.escape(q)}" value="(\d+)"', html)
    version = m.group(1) if m else "0"

    def autosave(n: int) -> str:
        data = {
            f"q-{q}": users["values"][n % len(users["values"])],
            f"v-{q}": version,
            "client_stamp": str(int(time.time() * 1000)),
            "autosave": "1",
        }
        r = c.post(path, data, HTTP_HX_REQUEST="true")
        body = r.content.decode()
        assert r.status_code == 200 and "Saved at" in body, (r.status_code, body[:500])
        m = re.search(rf'name="v-{re.escape(q)}" value="(\d+)"', body)
        return m.group(1) if m else version

    for n in range(5):  # warm up: imports, template compilation, instrument parse
        version = autosave(n)
    with CaptureQueriesContext(connection) as ctx:
        version = autosave(5)
    print(f"one autosave: {len(ctx.captured_queries)} queries")
    if args.sql:
        for i, qq in enumerate(ctx.captured_queries, 1):
            print(f"  {i:2d}. {qq['sql'][:220]}")
    times = []
    prof = cProfile.Profile(time.process_time) if args.profile else None
    cpu0 = time.process_time()
    for n in range(args.requests):
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        version = autosave(n + 6)
        if prof:
            prof.disable()
        times.append((time.perf_counter() - t0) * 1000)
    cpu = (time.process_time() - cpu0) * 1000 / args.requests
    print(
        f"{args.requests} autosaves in-process: mean {statistics.mean(times):.1f} ms, "
        f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms; "
        f"CPU of this process {cpu:.1f} ms per autosave (the database server's is not counted)"
    )
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        pstats.Stats(prof).sort_stats("cumulative").print_stats("caseassess", 40)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
