#!/usr/bin/env bash
# Security checks: `bash scripts/security.sh [deploy-check] [bandit] [pip-audit]`
# (all three when none is named). Each one runs even if an earlier one failed; the exit
# status is 1 if any failed.
#
#   deploy-check  `manage.py check --deploy --fail-level WARNING` with production
#                 settings: DEBUG off, a random 50-character secret key, allowed hosts,
#                 behind a TLS proxy, PostgreSQL and Redis URLs (nothing is contacted).
#   bandit        bandit over apps/ and config/ ([tool.bandit] in pyproject.toml);
#                 fails on any HIGH severity finding, whatever its confidence.
#   pip-audit     pip-audit on uv.lock (exported with hashes), against PyPI's
#                 vulnerability feed, then OSV if PyPI cannot be used. Fails on any
#                 known vulnerability or on dependencies left unaudited. When no
#                 service answers at all (PyPI's per-version JSON API is blocked on the
#                 CI machine, api.osv.dev does not resolve) it prints SKIPPED and
#                 passes, unless TOLLGATE_SECURITY_REQUIRE_AUDIT=1.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
# Without cached bytecode every interpreter start recompiles Django (~4 s).
unset PYTHONDONTWRITEBYTECODE

PY=.venv/bin/python

deploy_check() {
    local secret
    secret=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))') || return 1
    # `env -i`: nothing from this shell (DJANGO_DEBUG, a test settings module) leaks in.
    env -i PATH="$PATH" HOME="$HOME" \
        DJANGO_SETTINGS_MODULE=config.settings \
        DJANGO_SECRET_KEY="$secret" \
        DJANGO_ALLOWED_HOSTS=tollgate.example.com \
        DJANGO_CSRF_TRUSTED_ORIGINS=https://tollgate.example.com \
        DJANGO_BEHIND_TLS_PROXY=true \
        DATABASE_URL=postgres://tollgate:unused@db.invalid:5432/tollgate \
        CACHE_URL=redis://cache.invalid:6379/1 \
        CELERY_BROKER_URL=redis://cache.invalid:6379/0 \
        "$PY" manage.py check --deploy --fail-level WARNING
}

bandit_high() {
    .venv/bin/bandit -c pyproject.toml -r apps config \
        --severity-level high --confidence-level low
}

find_uv() {
    if command -v uv >/dev/null 2>&1; then
        command -v uv
    elif [ -x .venv-bootstrap/bin/uv ]; then
        echo .venv-bootstrap/bin/uv # where scripts/install.sh puts it
    else
        echo "pip-audit: uv not found (run scripts/install.sh)" >&2
        return 1
    fi
}

pip_audit() {
    local work status
    work=$(mktemp -d) || return 1
    pip_audit_in "$work"
    status=$?
    rm -rf "$work"
    return "$status"
}

pip_audit_in() {
    local work=$1 uv service status reasons=()
    uv=$(find_uv) || return 1
    "$uv" export --frozen --all-groups --format requirements-txt --no-emit-project \
        --quiet >"$work/requirements.txt" || return 1
    for service in pypi osv; do
        rm -f "$work/report.json"
        .venv/bin/pip-audit -r "$work/requirements.txt" --require-hashes --disable-pip \
            --vulnerability-service "$service" --progress-spinner off \
            --format json --output "$work/report.json" 2>"$work/stderr.log"
        "$PY" scripts/pip_audit_verdict.py "$work/report.json" "$work/stderr.log" \
            >"$work/verdict.txt"
        status=$?
        if [ "$status" -ne 3 ]; then
            echo "pip-audit ($service):"
            cat "$work/verdict.txt"
            return "$status"
        fi
        reasons+=("  $service: $(cat "$work/verdict.txt")")
    done
    if [ "${TOLLGATE_SECURITY_REQUIRE_AUDIT:-0}" = 1 ]; then
        echo "FAILED: no vulnerability service answered (TOLLGATE_SECURITY_REQUIRE_AUDIT=1):"
        printf '%s\n' "${reasons[@]}"
        return 1
    fi
    echo "SKIPPED: vulnerability service unreachable, the lock file was NOT audited:"
    printf '%s\n' "${reasons[@]}"
}

main() {
    local checks=("$@") check failed=()
    [ "${#checks[@]}" -gt 0 ] || checks=(deploy-check bandit pip-audit)
    for check in "${checks[@]}"; do
        printf '\n==> %s\n' "$check"
        case $check in
        deploy-check) deploy_check ;;
        bandit) bandit_high ;;
        pip-audit) pip_audit ;;
        *)
            echo "security: unknown check $check" >&2
            false
            ;;
        esac || failed+=("$check")
    done
    if [ "${#failed[@]}" -gt 0 ]; then
        echo "security: FAILED: ${failed[*]}"
        return 1
    fi
    echo "security: passed: ${checks[*]}"
}

main "$@"
