#!/usr/bin/env bash
# Install everything and run the whole test suite: lint, types, import contracts, the
# supply-chain check (scripts/audit_deps.py), then
# pytest on SQLite and again on PostgreSQL 15, browser tests on both (they drive Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system_deps.sh
bash scripts/setup.sh
export CASEASSESS_TESTING=1
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy --strict caseassess_core"; .venv/bin/mypy caseassess_core
echo "== import contracts"; .venv/bin/lint-imports
echo "== supply chain (pip-audit, else the vendored advisory snapshot)"; .venv/bin/python scripts/audit_deps.py
echo "== verify_audit on the demo database (SQLite)"
auditdir=$(mktemp -d)
CASEASSESS_VAR_DIR=$auditdir DJANGO_DEBUG=1 .venv/bin/python manage.py migrate -v 0
CASEASSESS_VAR_DIR=$auditdir DJANGO_DEBUG=1 .venv/bin/python manage.py load_demo >/dev/null
CASEASSESS_VAR_DIR=$auditdir DJANGO_DEBUG=1 .venv/bin/python manage.py verify_audit
rm -rf "$auditdir"
echo "== pytest on SQLite"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
echo "== pytest on PostgreSQL (browser tests included: the live server runs on PostgreSQL too)"
bash scripts/with_postgres.sh .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
echo "== every command's --help and one real run on a fresh, unmigrated database with nothing set"
.venv/bin/python scripts/check_commands.py
echo "== scripts/serve.sh on PostgreSQL with DEBUG off: /healthz, sign-in, check --deploy"
bash scripts/with_postgres.sh bash scripts/ci_serve_check.sh
