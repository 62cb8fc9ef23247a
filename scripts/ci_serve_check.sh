#!/usr/bin/env bash
# CI: the production start on PostgreSQL with DEBUG off (issue 12 item 9). Run it through
# scripts/with_postgres.sh, which sets DATABASE_URL:
#   bash scripts/with_postgres.sh bash scripts/ci_serve_check.sh
# setup_site prints the first administrator's one-time link; scripts/serve.sh starts
# gunicorn; scripts/ci_serve_check.py checks /healthz, the link, two-factor enrolment and
# a second sign-in over HTTP; check --deploy must be clean (serve.sh refuses to start otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run through scripts/with_postgres.sh}"
port=${SERVE_PORT:-8199}
var=$(mktemp -d /tmp/caseassess-serve.XXXXXX)
export CASEASSESS_SECURE=1 CASEASSESS_VAR_DIR=$var DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost BIND=127.0.0.1:$port WEB_CONCURRENCY=2
DJANGO_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'); export DJANGO_SECRET_KEY
unset DJANGO_DEBUG CASEASSESS_TESTING CASEASSESS_REQUIRE_2FA
out=$(.venv/bin/python manage.py setup_site --username ci-admin --email ci@example.gov.uk --no-input --site-url "http://127.0.0.1:$port")
echo "$out"
link=$(echo "$out" | grep -o "http://127.0.0.1:$port/account/welcome/[^ ]*")
echo "== check --deploy"; .venv/bin/python manage.py check --deploy --fail-level WARNING
setsid bash scripts/serve.sh >"$var/serve.log" 2>&1 &
serve=$!
trap 'kill -- -$serve 2>/dev/null || true; sleep 1; rm -rf "$var"' EXIT
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$serve" 2>/dev/null; then cat "$var/serve.log"; echo "serve.sh exited"; exit 1; fi
  sleep 1
done
.venv/bin/python scripts/ci_serve_check.py "http://127.0.0.1:$port" "$link" ci-admin || { cat "$var/serve.log"; exit 1; }
# The background worker runs beside gunicorn at the lower CPU priority serve.sh gives it.
worker=$(ps -o ni=,args= -s "$serve" | grep "manage.py db_worker" | grep -v grep || true)
[ "$(echo "$worker" | awk '{print $1}')" = "${CASEASSESS_WORKER_NICE:-10}" ] || { cat "$var/serve.log"; echo "no db_worker at nice ${CASEASSESS_WORKER_NICE:-10}: '$worker'"; exit 1; }
echo "db_worker at nice ${CASEASSESS_WORKER_NICE:-10}"
echo "serve.sh on PostgreSQL with DEBUG off: healthz 200, sign-in with two-factor works, check --deploy clean, the worker at low priority"
