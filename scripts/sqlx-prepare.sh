#!/usr/bin/env bash
# Writes (or, with --check, verifies) the checked queries' offline cache in `.sqlx/`, without
# sqlx-cli: the schema is built from migrations/ into a throwaway SQLite file, and the engine
# and CLI are type-checked against it with the sqlx macros' own switch for saving what they
# learn (SQLX_OFFLINE_DIR). A plain `cargo build` reads `.sqlx/` and needs no database.
#
#   scripts/sqlx-prepare.sh           rewrite .sqlx/ after changing a query or a migration
#   scripts/sqlx-prepare.sh --check   fail, naming the queries, when .sqlx/ is out of date
set -euo pipefail
cd "$(dirname "$0")/.."

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/sqlx-prepare.XXXXXX")
trap 'rm -rf "$work"' EXIT
db="$work/schema.db"
mkdir "$work/queries"

# The schema as the app's migrator leaves it, plus sqlx's own bookkeeping table (the store reads
# it to decide whether to back the database up before migrating).
schema() {
  for migration in migrations/*.sql; do
    cat "$migration"
    printf '\n;\n'
  done
  cat <<'SQL'
CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);
SQL
}
if command -v sqlite3 >/dev/null 2>&1; then
  schema | sqlite3 -bail "$db"
elif command -v python3 >/dev/null 2>&1; then
  schema | python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).executescript(sys.stdin.read())' "$db"
else
  echo "sqlx-prepare: needs the sqlite3 command (apt-get install sqlite3) or python3." >&2
  exit 1
fi

# The `sqlx-check` feature makes this a build of its own (see crates/finder/Cargo.toml), and
# the new DATABASE_URL each time makes finder's build script re-run, so every query is
# re-checked (the CLI is rebuilt with it). Checking (not building) is enough for the macros.
echo "sqlx-prepare: checking every query against a database made from migrations/" >&2
started=$SECONDS
DATABASE_URL="sqlite:$db" SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$work/queries" \
  "${CARGO:-cargo}" check --quiet --locked -p finder -p comment-finder --features finder/sqlx-check,comment-finder/bench
echo "sqlx-prepare: $(find "$work/queries" -name 'query-*.json' | wc -l) queries checked in $((SECONDS - started)) s" >&2

# The first line of a cached query's SQL, to name it in messages.
first_line() {
  grep -m1 '"query":' "$1" | sed -e 's/^ *"query": "//' -e 's/\\n.*//' -e 's/",\{0,1\}$//' | sed 's/\\"/"/g' | cut -c1-100
}

if [ "$mode" = write ]; then
  mkdir -p .sqlx
  rm -f .sqlx/query-*.json
  cp "$work"/queries/query-*.json .sqlx/
  echo "sqlx-prepare: .sqlx/ holds $(ls .sqlx/query-*.json | wc -l) queries" >&2
  exit 0
fi

stale=0
for file in "$work"/queries/query-*.json; do
  name=$(basename "$file")
  if [ ! -f ".sqlx/$name" ]; then
    echo "  missing from .sqlx/ (a new or changed query): $(first_line "$file")" >&2
    stale=1
  elif ! cmp -s "$file" ".sqlx/$name"; then
    echo "  out of date in .sqlx/ (the schema or sqlx changed): $(first_line "$file")" >&2
    stale=1
  fi
done
for file in .sqlx/query-*.json; do
  [ -e "$file" ] || continue
  if [ ! -f "$work/queries/$(basename "$file")" ]; then
    echo "  in .sqlx/ but no longer in the code: $(first_line "$file")" >&2
    stale=1
  fi
done
if [ "$stale" = 1 ]; then
  echo "sqlx-prepare: the query cache .sqlx/ is out of date; run scripts/sqlx-prepare.sh and commit .sqlx/" >&2
  exit 1
fi
echo "sqlx-prepare: .sqlx/ is up to date" >&2
