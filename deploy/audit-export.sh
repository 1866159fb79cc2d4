#!/usr/bin/env bash
# One day of the audit log (audit_event) as a CSV file, for the council's log
# platform or archive to collect: a copy of who did what that lives off the
# application's database (docs/deploy.md, "Sending logs off the machine").
#
#   deploy/audit-export.sh [database] [YYYY-MM-DD]   (default: frontdoor, yesterday, UTC)
#
# Connection: libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD (or ~/.pgpass); SELECT on
# audit_event, staff_user and hub is all it needs. frontdoor-audit-export.service
# runs it as postgres on the database machine (peer authentication, no password).
# The audit log holds no family's personal data; it does name staff (their email).
set -euo pipefail

database="${1:-frontdoor}"
day="${2:-$(date -u -d yesterday +%F)}"
directory="${AUDIT_EXPORT_DIR:-/var/backups/frontdoor/audit}"
keep_days="${AUDIT_EXPORT_KEEP_DAYS:-30}"
if [[ ! "$day" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  echo "audit-export: the day must read YYYY-MM-DD" >&2
  exit 2
fi

umask 077
mkdir -p "$directory"
target="$directory/audit-$database-$day.csv"
# Whole UTC days (PGTZ), so consecutive nights neither miss nor repeat a row. Written
# under a temporary name and renamed when complete, so a collector never picks up
# half a day.
PGTZ=UTC psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --set=day="$day" \
  --dbname="$database" >"$target.partial" <<'SQL'
COPY (
    SELECT a.id, a.at, a.action, a.subject_type, a.subject_id, a.detail,
           a.staff_id, s.email AS staff_email, a.hub_id, h.name AS hub
    FROM audit_event a
    LEFT JOIN staff_user s ON s.id = a.staff_id
    LEFT JOIN hub h ON h.id = a.hub_id
    WHERE a.at >= :'day'::date AND a.at < :'day'::date + 1
    ORDER BY a.id
) TO STDOUT WITH (FORMAT csv, HEADER)
SQL
mv "$target.partial" "$target"
echo "audit log exported: $target ($(($(wc -l <"$target") - 1)) events)"

# The database keeps the log itself; these files are only for collecting.
find "$directory" -maxdepth 1 -name "audit-$database-*.csv" -mtime "+$keep_days" -print -delete
