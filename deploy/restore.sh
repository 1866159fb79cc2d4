#!/usr/bin/env bash
# Restore a dump from deploy/backup.sh into a NEW database, then check that its
# schema is the one this code's migrations end at. Never touches an existing
# database: point the app at the restored one when you are satisfied (docs/deploy.md,
# "The restore drill").
#
#   deploy/restore.sh DUMP NEW_DATABASE
#
# Connection: libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD (or ~/.pgpass); the role
# needs CREATEDB. FRONTDOOR_PYTHON is the venv's python (default: the venv beside
# this script), used to read which revision this code's migrations end at.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 DUMP NEW_DATABASE" >&2
  exit 2
fi
dump="$1"
database="$2"
here="$(cd "$(dirname "$0")" && pwd)"
python="${FRONTDOOR_PYTHON:-$here/../.venv/bin/python}"

if [[ ! "$database" =~ ^[a-z_][a-z0-9_]*$ ]]; then
  echo "restore: NEW_DATABASE must be lower-case letters, digits and _" >&2
  exit 2
fi
pg_restore --list "$dump" >/dev/null  # a readable custom-format dump, before anything else

# createdb refuses a name that exists: a restore never lands on live data.
createdb "$database"
pg_restore --dbname="$database" --no-owner --exit-on-error --jobs=2 "$dump"
echo "restored $dump into $database"

# The same rule as /readyz: the database's revision is the one this code's
# migrations end at. Read with psql and alembic alone (no app start: seconds count
# in a drill).
current="$(psql --no-psqlrc --tuples-only --no-align --dbname="$database" \
  --command="SELECT version_num FROM alembic_version ORDER BY 1" | tr '\n' ' ' | xargs)"
heads="$("$python" - "$here/../migrations" <<'PY'
import sys
from alembic.script import ScriptDirectory
print(" ".join(sorted(ScriptDirectory(sys.argv[1]).get_heads())))
PY
)"
if [[ "$current" != "$heads" ]]; then
  echo "restore: the database is at '${current:-no revision}', this code expects '$heads'." >&2
  echo "restore: upgrade it (FRONTDOOR_DATABASE_URL=postgresql+psycopg:///$database" >&2
  echo "restore: frontdoor db upgrade), or restore with the release that made the dump." >&2
  exit 1
fi
echo "migrations current: $current"
