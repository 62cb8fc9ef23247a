#!/usr/bin/env bash
# Install everything the application needs: Python packages (pinned) into .venv, the
# front-end packages from npm, and the static files built from them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages…"
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  rm -f .venv/.installed-*; touch "$stamp"
fi
echo "Building front-end assets…"
bash scripts/build_assets.sh
