#!/bin/sh
# Online backup of the ReportRelay database, for deploy/backup/reportrelay-backup.timer or cron.
# `relayctl backup` copies the database while relayd serves (VACUUM INTO) and keeps the copy only
# if its audit log verifies; the copy is then verified once more on its own, and copies older than
# KEEP_DAYS are removed. Exit status is non-zero if anything failed (the timer's unit shows it).
set -eu
CONFIG=${CONFIG:-/etc/reportrelay/relayd.yaml}
DIR=${BACKUP_DIR:-/var/backups/reportrelay}
KEEP_DAYS=${KEEP_DAYS:-14}
RELAYCTL=${RELAYCTL:-/usr/local/bin/relayctl}
umask 077
mkdir -p "$DIR"
copy="$DIR/relay-$(date -u +%Y-%m-%dT%H%M%SZ).sqlite"
"$RELAYCTL" backup --config "$CONFIG" "$copy"
"$RELAYCTL" audit verify --config "$CONFIG" --database "$copy"
find "$DIR" -maxdepth 1 -name 'relay-*.sqlite' -mtime +"$KEEP_DAYS" -delete
echo "backup: $copy"
