#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when missing, for the ghl-webhooks PostgreSQL tests
# (integration_tests/webhooks/postgres.py starts a throw-away cluster from it). Idempotent and quiet.
# Never fails the build: without root or apt, the PostgreSQL tests skip and say why.
set -uo pipefail

have_initdb() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }
log() { printf '[postgres] %s\n' "$*" >&2; }

if have_initdb; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then log "no apt-get: PostgreSQL tests will skip"; exit 0; fi
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi; }
log "installing postgresql (Debian package)"
if ! { run apt-get update -qq && DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq postgresql; } >/dev/null 2>&1; then
  log "could not install postgresql: PostgreSQL tests will skip"
fi
have_initdb || log "initdb still missing: PostgreSQL tests will skip"
exit 0
