#!/usr/bin/env bash
# Installs and starts the services the tests run against: Debian's PostgreSQL
# (a cluster on 127.0.0.1:5432 with a superuser role "reelpulse") and
# Debian's Chromium for the browser tests. Prints the export line for the
# test database URL. Safe to run again: it skips what is already there.
set -euo pipefail

log() { echo "test-services: $*" >&2; }

need_packages=()
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_packages+=(postgresql)
command -v pg_ctlcluster >/dev/null 2>&1 || need_packages+=(postgresql-common)

if ((${#need_packages[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing packages: ${need_packages[*]}; install them as root (apt-get install ${need_packages[*]})"
    exit 1
  fi
  log "installing ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need_packages[@]}" >&2
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version main"; then
  log "creating PostgreSQL $version cluster main"
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  log "starting PostgreSQL $version cluster main"
  pg_ctlcluster "$version" main start >&2
fi

port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$port" >&2

su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_roles WHERE rolname = 'reelpulse'\"" | grep -q 1 ||
  su postgres -c "psql -q -p $port -c \"CREATE ROLE reelpulse LOGIN SUPERUSER PASSWORD 'reelpulse'\"" >&2

echo "export REELPULSE_TEST_DATABASE_URL=postgres://reelpulse:reelpulse@127.0.0.1:$port/postgres?sslmode=disable"
