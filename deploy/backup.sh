#!/usr/bin/env bash
# A nightly backup of the Front Door database: pg_dump's custom format (compressed,
# restored table by table with pg_restore; deploy/restore.sh), kept BACKUP_KEEP_DAYS.
#
#   deploy/backup.sh [database]          (default: frontdoor)
#
# Connection: libpq's own PGHOST, PGPORT, PGUSER and PGPASSWORD (or ~/.pgpass), so
# no password ever appears in a process list. frontdoor-backup.service runs it as
# the postgres user on the database machine (peer authentication, no password).
set -euo pipefail

database="${1:-frontdoor}"
directory="${BACKUP_DIR:-/var/backups/frontdoor}"
keep_days="${BACKUP_KEEP_DAYS:-14}"

umask 077  # a dump holds families' names and contact details: owner only
mkdir -p "$directory"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$directory/$database-$stamp.dump"

# Written under a temporary name and renamed when complete, so a half-written dump
# (disk full, the job killed) is never mistaken for a good one by the pruning or
# by whoever restores.
pg_dump --format=custom --compress=6 --no-owner --file="$target.partial" "$database"
mv "$target.partial" "$target"
echo "backup written: $target ($(du -h "$target" | cut -f1))"

# Older dumps go; a failed night's .partial files too.
find "$directory" -maxdepth 1 -name "$database-*.dump" -mtime "+$keep_days" -print -delete
find "$directory" -maxdepth 1 -name "$database-*.dump.partial" -mmin +1440 -print -delete
