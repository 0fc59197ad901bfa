#!/usr/bin/env bash
# Run the test suite with pytest: `bash scripts/test.sh [pytest options]`.
#
# Settings come from pyproject.toml ([tool.pytest.ini_options]: config.settings_test).
# The database and broker come from the environment: SQLite and eager tasks by default,
# PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL are set (see README.md).
# Exit status: pytest's, except that "no tests collected" (5) is a failure too.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
# Without cached bytecode every interpreter start recompiles Django (~4 s).
unset PYTHONDONTWRITEBYTECODE

.venv/bin/pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "test: pytest collected no tests (exit 5); that is a failure." >&2
    exit 1
fi
exit "$status"
