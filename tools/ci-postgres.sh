#!/bin/sh
# For CI: install and start a local PostgreSQL (loopback only) with a throw-away database,
# then print the URL for SODESK_TEST_POSTGRES_URL. Prints nothing when it cannot (not root,
# no apt-get): the PostgreSQL test then skips and the rest of the suite still runs.
set -u
[ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 || exit 0
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql \
    >/dev/null 2>&1 || exit 0
fi
service postgresql start >/dev/null 2>&1 || exit 0
for _ in 1 2 3 4 5 6 7 8 9 10; do
  su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='sodesk_ci'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE sodesk_ci LOGIN PASSWORD 'sodesk_ci'\"" >/dev/null
su postgres -c "psql -qc 'DROP DATABASE IF EXISTS sodesk_ci'" >/dev/null 2>&1
su postgres -c "psql -qc 'CREATE DATABASE sodesk_ci OWNER sodesk_ci'" >/dev/null 2>&1 || exit 0
echo "postgresql://sodesk_ci:sodesk_ci@127.0.0.1/sodesk_ci"
