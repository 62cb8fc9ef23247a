#!/usr/bin/env bash
# Install, create the SQLite database, load the demonstration programme and start the
# web application on http://127.0.0.1:8000/ (sign in with a demo user printed below).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_DEBUG=1
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py load_demo
# The background worker (django-tasks): web imports, PDF exports and count rebuilds run in it.
.venv/bin/python manage.py db_worker --no-reload -v 0 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true' EXIT INT TERM
echo "Open http://127.0.0.1:${PORT:-8000}/ in a browser."
.venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
