#!/usr/bin/env bash
# Local PostgreSQL and Redis for the second test pass (.ci/run, or by hand; see README).
#
#   bash scripts/services.sh start        # start both if not running, wait until they answer
#   bash scripts/services.sh start-postgres / start-redis   # only one of them
#   bash scripts/services.sh pg-setup     # create the role (CREATEDB) and database; needs root
#   bash scripts/services.sh redis-flush  # empty the suite's Redis database
#   bash scripts/services.sh urls         # print the DATABASE_URL / CELERY_BROKER_URL exports
#
# Environment (defaults in brackets):
#   TOLLGATE_PG_USER [tollgate]  TOLLGATE_PG_PASSWORD [tollgate]  TOLLGATE_PG_DB [tollgate_ci]
#   TOLLGATE_REDIS_DB [15]
# Services are started without systemd, as on a container or CI machine: PostgreSQL through
# Debian's pg_ctlcluster, Redis as a daemon on 127.0.0.1:6379 that keeps nothing on disk.
set -euo pipefail

PG_USER=${TOLLGATE_PG_USER:-tollgate}
PG_PASSWORD=${TOLLGATE_PG_PASSWORD:-tollgate}
PG_DB=${TOLLGATE_PG_DB:-tollgate_ci}
REDIS_DB=${TOLLGATE_REDIS_DB:-15}
readonly PG_HOST=127.0.0.1 PG_PORT=5432 REDIS_HOST=127.0.0.1 REDIS_PORT=6379
readonly WAIT_SECONDS=30

say() { printf '==> %s\n' "$*" >&2; }
fail() {
    printf 'services: %s\n' "$*" >&2
    exit 1
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; }
redis_up() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

wait_for() {
    local check=$1 i
    for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
        "$check" && return 0
        sleep 0.5
    done
    return 1
}

# The newest installed major version's "main" cluster, created if there is none.
pg_cluster_version() {
    local dir version=""
    for dir in /etc/postgresql/*/main; do
        [ -d "$dir" ] || continue
        version=$(basename "$(dirname "$dir")")
    done
    if [ -z "$version" ]; then
        for dir in /usr/lib/postgresql/*/bin; do
            [ -d "$dir" ] || continue
            version=$(basename "$(dirname "$dir")")
        done
        [ -n "$version" ] || fail "PostgreSQL is not installed (apt-get install postgresql)."
        say "Creating PostgreSQL $version cluster 'main'"
        pg_createcluster "$version" main >&2
    fi
    echo "$version"
}

start_postgres() {
    if pg_up; then
        say "PostgreSQL is already accepting connections on $PG_HOST:$PG_PORT"
        return
    fi
    command -v pg_ctlcluster >/dev/null 2>&1 ||
        fail "pg_ctlcluster not found: install PostgreSQL (apt-get install postgresql)."
    local version
    version=$(pg_cluster_version)
    say "Starting PostgreSQL $version/main"
    # Nothing of the daemon may keep this script's stdout open (CI reads it to the end).
    pg_ctlcluster --skip-systemctl-redirect "$version" main start </dev/null >&2 ||
        say "pg_ctlcluster reported an error; waiting for the server anyway"
    wait_for pg_up ||
        fail "PostgreSQL is not accepting connections on $PG_HOST:$PG_PORT after ${WAIT_SECONDS}s (see /var/log/postgresql/)."
}

start_redis() {
    if redis_up; then
        say "Redis is already answering on $REDIS_HOST:$REDIS_PORT"
        return
    fi
    command -v redis-server >/dev/null 2>&1 ||
        fail "redis-server not found: install Redis (apt-get install redis-server)."
    say "Starting Redis on $REDIS_HOST:$REDIS_PORT"
    (cd / && redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
        --save "" --appendonly no </dev/null >/dev/null 2>&1) ||
        say "redis-server reported an error; waiting for the server anyway"
    wait_for redis_up || fail "Redis is not answering on $REDIS_HOST:$REDIS_PORT after ${WAIT_SECONDS}s."
}

as_postgres() {
    if [ "$(id -u)" -ne 0 ]; then
        fail "creating the PostgreSQL role needs root (to act as the postgres user). By hand:
    sudo -u postgres psql -c \"CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'\"
    sudo -u postgres createdb -O $PG_USER $PG_DB"
    fi
    (cd / && runuser -u postgres -- "$@")
}

pg_setup() {
    pg_up || fail "PostgreSQL is not running: bash scripts/services.sh start"
    say "Ensuring role $PG_USER (LOGIN CREATEDB) and database $PG_DB"
    # The suite's role needs CREATEDB: pytest-django creates test_$PG_DB itself.
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -d postgres \
        -v user="$PG_USER" -v password="$PG_PASSWORD" -v db="$PG_DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
}

redis_flush() {
    redis_up || fail "Redis is not running: bash scripts/services.sh start"
    say "Flushing Redis database $REDIS_DB"
    redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" -n "$REDIS_DB" flushdb >/dev/null
}

print_urls() {
    echo "export DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB"
    echo "export CELERY_BROKER_URL=redis://$REDIS_HOST:$REDIS_PORT/$REDIS_DB"
}

case ${1:-} in
start)
    start_postgres
    start_redis
    ;;
start-postgres) start_postgres ;;
start-redis) start_redis ;;
pg-setup) pg_setup ;;
redis-flush) redis_flush ;;
urls) print_urls ;;
*)
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
