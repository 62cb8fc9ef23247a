#!/usr/bin/env bash
# Production start on one machine (docs/deploy.md): checks the settings, applies
# migrations, collects static files, clears expired sessions, runs Django's deployment
# checks, then starts gunicorn (and the background worker, when the application has one).
#
#   DJANGO_SECRET_KEY=… DJANGO_ALLOWED_HOSTS=caseassess.example DATABASE_URL=postgres://… \
#     bash scripts/serve.sh
#
# Optional: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (gunicorn workers, default 3),
# CASEASSESS_SECURE (default 1: Secure cookies, HSTS, HTTPS redirect; set 0 only for a
# local trial without TLS), CASEASSESS_PROXY_COUNT (default 1: one reverse proxy in front),
# CASEASSESS_WORKER_NICE (default 10: the background worker's lower CPU priority).
# Run `manage.py setup_site` once before the first start to create the first administrator.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
[ -x "$py" ] || { echo "No .venv: run 'bash scripts/setup.sh' first." >&2; exit 1; }
[ -n "${DJANGO_SECRET_KEY:-}" ] || { echo "Set DJANGO_SECRET_KEY to a long random value, e.g. \$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), kept outside the repository." >&2; exit 1; }
[ -n "${DJANGO_ALLOWED_HOSTS:-}" ] || { echo "Set DJANGO_ALLOWED_HOSTS to the host name(s) people open, comma-separated (e.g. caseassess.example)." >&2; exit 1; }
[ -n "${DATABASE_URL:-}" ] || echo "DATABASE_URL is not set: using the embedded SQLite database in ${CASEASSESS_VAR_DIR:-var/} (production uses PostgreSQL)." >&2
export DJANGO_DEBUG=0
export CASEASSESS_SECURE=${CASEASSESS_SECURE:-1}
export CASEASSESS_PROXY_COUNT=${CASEASSESS_PROXY_COUNT:-1}
unset CASEASSESS_REQUIRE_2FA CASEASSESS_TESTING

echo "== migrate"; "$py" manage.py migrate --no-input
echo "== collectstatic"; "$py" manage.py collectstatic --no-input -v 0
# Expired sessions are cleared at every start; docs/deploy.md adds a daily timer for
# servers that run for weeks between restarts.
echo "== clearsessions"; "$py" manage.py clearsessions
echo "== check --deploy"; "$py" manage.py check --deploy --fail-level WARNING

pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; }
trap stop TERM INT
# Background work (PDF exports, web imports) runs on django-tasks when its worker exists.
# At lower CPU priority (CASEASSESS_WORKER_NICE, default 10): a CPU-heavy import or PDF
# then leaves the cores to the web workers first, so autosaves do not queue behind it.
if "$py" manage.py help --commands | grep -qx db_worker; then
  echo "== db_worker (nice ${CASEASSESS_WORKER_NICE:-10})"
  nice -n "${CASEASSESS_WORKER_NICE:-10}" "$py" manage.py db_worker --no-reload & pids+=($!)
fi
echo "== gunicorn on ${BIND:-127.0.0.1:8000}"
.venv/bin/gunicorn --workers "${WEB_CONCURRENCY:-3}" --bind "${BIND:-127.0.0.1:8000}" \
  --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" config.wsgi:application & pids+=($!)
# One process ending ends the service (systemd restarts it): never a web server without its worker.
status=0
wait -n "${pids[@]}" || status=$?
stop
exit "$status"
