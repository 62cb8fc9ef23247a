#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server on loopback:
#   scripts/with_postgres.sh <command...>   (DATABASE_URL is set for the command)
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
port=${PGTEST_PORT:-54329}
dir=$(mktemp -d /tmp/caseassess-pg.XXXXXX)
owner=$(id -un)
run() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  owner=postgres; chown postgres "$dir"
  run() { runuser -u postgres -- "$@"; }
fi
run "$bin/initdb" -D "$dir/data" -U caseassess -A trust --no-sync >/dev/null
run "$bin/pg_ctl" -D "$dir/data" -o "-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -l "$dir/log" -w start >/dev/null
trap 'run "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
run "$bin/createdb" -h 127.0.0.1 -p "$port" -U caseassess caseassess
export DATABASE_URL="postgres://caseassess@127.0.0.1:$port/caseassess"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
