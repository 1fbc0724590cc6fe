#!/bin/sh
# For CI: install and start a local PostgreSQL (loopback only) with a throw-away database,
# then print the URL for SODESK_TEST_POSTGRES_URL; with the argument "admin", the URL of a
# superuser for SODESK_TEST_POSTGRES_ADMIN_URL (tests/db/test_pg_setup.py makes its own
# databases and roles with it). Prints nothing when it cannot (not root, no apt-get): the
# PostgreSQL tests then skip and the rest of the suite still runs.
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
if [ "${1:-}" = "admin" ]; then
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='sodesk_ci_admin'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"CREATE ROLE sodesk_ci_admin LOGIN SUPERUSER PASSWORD 'sodesk_ci_admin'\"" \
    >/dev/null || exit 0
  echo "postgresql://sodesk_ci_admin:sodesk_ci_admin@127.0.0.1/postgres"
  exit 0
fi
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='sodesk_ci'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE sodesk_ci LOGIN PASSWORD 'sodesk_ci'\"" >/dev/null
# Each pytest-xdist worker makes its own copy of the test database (tests/conftest.py).
su postgres -c "psql -qc 'ALTER ROLE sodesk_ci CREATEDB'" >/dev/null 2>&1
su postgres -c "psql -qc 'DROP DATABASE IF EXISTS sodesk_ci'" >/dev/null 2>&1
su postgres -c "psql -qc 'CREATE DATABASE sodesk_ci OWNER sodesk_ci'" >/dev/null 2>&1 || exit 0
echo "postgresql://sodesk_ci:sodesk_ci@127.0.0.1/sodesk_ci"
