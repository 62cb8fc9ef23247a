#!/usr/bin/env bash
# Copy pinned front-end packages (npm) into the static tree Django serves.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/govuk-frontend ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dest=caseassess/static/vendor
rm -rf "$dest"; mkdir -p "$dest/govuk-frontend"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$dest/govuk-frontend/"
cp -r node_modules/govuk-frontend/dist/govuk/assets "$dest/govuk-frontend/assets"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/axe-core/axe.min.js "$dest/axe.min.js"
# The stylesheet points at /assets/; serve them from the static tree instead.
sed -i 's#url(/assets/#url(/static/vendor/govuk-frontend/assets/#g' "$dest/govuk-frontend/govuk-frontend.min.css"
