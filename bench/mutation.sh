#!/usr/bin/env bash
# Mutation testing on demand (never in CI): mutmut changes the code one small mutation at a
# time and runs the fast tests that cover it; a mutant that no test notices "survives".
#
#   bash bench/mutation.sh                      # every module below, one after another
#   bash bench/mutation.sh statistics scoring   # some of them
#
# Each module runs in its own scratch copy of the working tree (MUTATION_DIR, default
# /tmp/caseassess-mutation/<module>), so the checkout is never touched. Every run starts
# afresh: mutmut does not re-check a mutant when only the tests changed, so its cache would
# report old survivors. MUTATION_RESUME=1 keeps the previous results and checks only the
# mutants not checked yet (to finish an interrupted run). MUTATION_RECHECK=1 keeps the
# previous results too, copies the tree again (new tests included) and re-checks only the
# mutants that survived or were reached by no test (after adding tests for them; the
# seconds printed are then the re-check's only). Per module it prints: mutants, killed, survived, timeouts, %
# killed, seconds, and the surviving mutants' names (`mutmut show NAME` inside the
# scratch copy prints a mutant's diff). MUTATION_JOBS (default 1) sets mutmut's
# --max-children: the CI machine has two cores, so keep it at 1 or 2.
# The survivors and their reasons are listed in docs/testing.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE="${MUTATION_DIR:-/tmp/caseassess-mutation}"
JOBS="${MUTATION_JOBS:-1}"
MUTMUT="$ROOT/.venv/bin/mutmut"
[ -x "$MUTMUT" ] || { echo "mutmut is not installed: .venv/bin/pip install -r requirements-dev.txt"; exit 1; }

# module -> "files to mutate (globs, relative to the repo)|tests that cover them"
declare -A FILES TESTS
FILES[statistics]="caseassess_core/statistics/*"
TESTS[statistics]="tests/core/statistics"
FILES[scoring]="caseassess_core/scoring/*"
TESTS[scoring]="tests/core/scoring"
FILES[findings]="caseassess_core/findings/*"
TESTS[findings]="tests/core/findings tests/core/ratings"  # ratings: the report's rating lines
FILES[rules]="caseassess_core/rules/*"
TESTS[rules]="tests/core/rules"
FILES[permissions]="caseassess/inspections/permissions.py"
TESTS[permissions]="tests/web/test_security_access.py tests/web/test_mutation_holes.py tests/web/test_setup_pages.py tests/web/test_area_tiering.py"
FILES[services]="caseassess/assessments/services.py"
TESTS[services]="tests/web/test_assessment_workflow.py tests/web/test_findings_count_table.py tests/web/test_mutation_holes.py tests/web/test_lead_review.py tests/web/test_autosave_and_kept_answers.py"
ORDER=(statistics scoring findings rules permissions services)
# Extra pytest arguments per module. The Django modules build their test database from the
# models (--nomigrations: 0.8 s instead of 4.5 s per mutant) and so leave out the one test
# that checks a trigger a migration installs (audit rows cannot be altered; not about them).
declare -A ARGS
ARGS[permissions]='"--nomigrations", "--deselect", "tests/web/test_assessment_workflow.py::test_audit_rows_cannot_be_altered"'
ARGS[services]="${ARGS[permissions]}"

mods=("$@")
[ ${#mods[@]} -gt 0 ] || mods=("${ORDER[@]}")
for m in "${mods[@]}"; do
  [ -n "${FILES[$m]+x}" ] || { echo "unknown module '$m'; choose from: ${ORDER[*]}"; exit 2; }
done

toml_list() { local out="" x; for x in "$@"; do out+="\"$x\", "; done; echo "[${out%, }]"; }

printf '%-12s %8s %7s %9s %9s %8s %8s\n' module mutants killed survived timeouts killed% seconds
for m in "${mods[@]}"; do
  work="$BASE/$m"
  mkdir -p "$work"
  # A fresh copy of the tracked and new files (not .venv, node_modules, artifacts, var).
  [ "${MUTATION_RESUME:-0}" = 1 ] || [ "${MUTATION_RECHECK:-0}" = 1 ] || rm -rf "$work/mutants" "$work/var"
  (cd "$ROOT" && git ls-files -co --exclude-standard -z) \
    | (cd "$ROOT" && tar --null -T - -cf - 2>/dev/null) | tar -C "$work" -xf -
  ln -sfn "$ROOT/.venv" "$work/.venv"
  ln -sfn "$ROOT/node_modules" "$work/node_modules"
  read -r -a tests <<<"${TESTS[$m]}"
  src="${FILES[$m]%%/*}"
  # The Django modules need the rest of the project beside them in mutmut's copy.
  also=(instruments config manage.py caseassess_core caseassess)
  cat >>"$work/pyproject.toml" <<EOF

[tool.mutmut]
source_paths = ["$src"]
only_mutate = $(toml_list ${FILES[$m]})
also_copy = $(toml_list "${also[@]}")
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x", "-m", "not browser and not slow"${ARGS[$m]:+, ${ARGS[$m]}}]
pytest_add_cli_args_test_selection = $(toml_list "${tests[@]}")
use_git_change_detection = false
EOF
  names=()
  if [ "${MUTATION_RECHECK:-0}" = 1 ] && [ -d "$work/mutants" ]; then
    mapfile -t names < <(cd "$work" && "$MUTMUT" results 2>/dev/null | grep -E ': (survived|no tests)' | sed -E 's/^ *//; s/: .*//')
    [ ${#names[@]} -gt 0 ] || { echo "$m: no survivors to re-check"; continue; }
  fi
  start=$(date +%s)
  (cd "$work" && CASEASSESS_TESTING=1 CASEASSESS_VAR_DIR="$work/var" "$MUTMUT" run --max-children "$JOBS" "${names[@]}" >"$work/run.log" 2>&1) || {
    echo "$m: mutmut failed, see $work/run.log"; tail -20 "$work/run.log"; continue; }
  secs=$(( $(date +%s) - start ))
  (cd "$work" && "$MUTMUT" export-cicd-stats >/dev/null 2>&1)
  "$ROOT/.venv/bin/python" - "$work/mutants/mutmut-cicd-stats.json" "$m" "$secs" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
# A mutant no selected test reaches counts as a survivor; "not checked" ones were not run.
total = s["total"] - s.get("skipped", 0) - s.get("not_checked", 0)
killed = s["killed"] + s.get("timeout", 0) + s.get("caught_by_type_check", 0)
survived = s["survived"] + s.get("no_tests", 0) + s.get("suspicious", 0)
pct = 100.0 * killed / total if total else 0.0
print(f"{sys.argv[2]:<12} {total:>8} {killed:>7} {survived:>9} {s.get('timeout', 0):>9} {pct:>7.1f}% {sys.argv[3]:>8}"
      + (f"   ({s['not_checked']} not checked: run again)" if s.get("not_checked") else ""))
PY
  (cd "$work" && "$MUTMUT" results 2>/dev/null | grep -E ': (survived|no tests)' | sed 's/^/    /') || true
done
