#!/usr/bin/env bash
# Install everything Tollgate needs: Debian/Ubuntu system packages, uv, and .venv.
#
#   bash scripts/install.sh                  # what `make install` runs
#   bash scripts/install.sh --check          # only list missing system packages
#   bash scripts/install.sh --with-services  # also PostgreSQL and Redis (.ci/run)
#
# Idempotent. When nothing changed it finishes in well under a second: the Python
# environment is only re-synced when uv.lock, pyproject.toml or this script change
# (stamp file .venv/.installed).
#
# Environment:
#   TOLLGATE_EXTRA_APT_PACKAGES  extra Debian packages to require (space-separated)
#   CHROMIUM_PATH                a Chromium binary to use instead of Debian's package
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly VENV=.venv
readonly STAMP="$VENV/.installed"
readonly BOOTSTRAP=.venv-bootstrap
readonly UV_REQUIREMENT='uv>=0.13,<0.14'

# uv must never try to download a Python build: the project uses the system python3.
export UV_PYTHON_DOWNLOADS=never
# A project environment elsewhere would leave .venv/bin/python missing.
unset UV_PROJECT_ENVIRONMENT

say() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'install: %s\n' "$*" >&2
    exit 1
}

# --- System packages -------------------------------------------------------------------

# chromium: Playwright end-to-end tests and chart export (kaleido).
# pango, pangoft2, harfbuzz-subset and the fonts: WeasyPrint PDF reports.
SYSTEM_PACKAGES=(
    chromium
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
    fonts-dejavu-core
    fonts-noto-cjk
)
SERVICE_PACKAGES=(postgresql redis-server)

needs_bootstrap_uv() {
    ! uv_on_path && ! [ -x "$BOOTSTRAP/bin/uv" ]
}

uv_on_path() {
    local version
    command -v uv >/dev/null 2>&1 || return 1
    version=$(uv --version 2>/dev/null | awk '{print $2}') || return 1
    # uv.lock is written by uv 0.13; older releases may not read it.
    [ "$(printf '%s\n0.13.0\n' "$version" | sort -V | head -n1)" = 0.13.0 ]
}

# Installed according to dpkg, or (without dpkg) found by ldconfig / command -v / fc-list.
package_present() {
    local pkg=$1 status
    if [ "$pkg" = chromium ] && [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then
        return 0
    fi
    if command -v dpkg-query >/dev/null 2>&1; then
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || return 1
        [ "${status##* }" = installed ]
        return
    fi
    case $pkg in
    chromium) command -v chromium >/dev/null 2>&1 ;;
    libpango-1.0-0) ldconfig -p 2>/dev/null | grep -q 'libpango-1\.0\.so\.0' ;;
    libpangoft2-1.0-0) ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1\.0\.so\.0' ;;
    libharfbuzz-subset0) ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0' ;;
    fonts-dejavu-core) fc-list 2>/dev/null | grep -qi 'DejaVu Sans' ;;
    fonts-noto-cjk) fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' ;;
    postgresql) command -v pg_ctlcluster >/dev/null 2>&1 ;;
    redis-server) command -v redis-server >/dev/null 2>&1 ;;
    python3-venv) python3 -c 'import ensurepip, venv' >/dev/null 2>&1 ;;
    *) return 1 ;;
    esac
}

# Prints the missing packages, one per line.
missing_packages() {
    local with_services=$1 pkg
    local wanted=("${SYSTEM_PACKAGES[@]}")
    if [ "$with_services" = 1 ]; then
        wanted+=("${SERVICE_PACKAGES[@]}")
    fi
    # shellcheck disable=SC2206 # word splitting is the point: a space-separated list
    wanted+=(${TOLLGATE_EXTRA_APT_PACKAGES:-})
    for pkg in "${wanted[@]}"; do
        package_present "$pkg" || echo "$pkg"
    done
    # Only needed to bootstrap uv: Debian's python3 ships without ensurepip.
    if needs_bootstrap_uv && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        echo python3-venv
    fi
}

install_system_packages() {
    local missing=("$@")
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "Installing system packages: ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            "${missing[@]}"
        return
    fi
    die "missing system packages: ${missing[*]}
Install them, then run this again:

    sudo apt-get install -y ${missing[*]}
"
}

# --- uv and the virtualenv ---------------------------------------------------------------

find_uv() {
    if uv_on_path; then
        command -v uv
        return
    fi
    if ! "$BOOTSTRAP/bin/uv" --version >/dev/null 2>&1; then
        say "uv is not on PATH: installing $UV_REQUIREMENT into $BOOTSTRAP/"
        rm -rf "$BOOTSTRAP"
        python3 -m venv "$BOOTSTRAP"
        "$BOOTSTRAP/bin/python" -m pip install --quiet --disable-pip-version-check \
            "$UV_REQUIREMENT"
    fi
    echo "$BOOTSTRAP/bin/uv"
}

stamp_key() {
    cat uv.lock pyproject.toml scripts/install.sh | sha256sum | cut -d' ' -f1
}

venv_is_current() {
    [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(stamp_key)" ] &&
        "$VENV/bin/python" -c '' >/dev/null 2>&1
}

sync_venv() {
    local uv started
    uv=$(find_uv)
    started=$SECONDS
    say "Syncing $VENV with $("$uv" --version) (uv sync --frozen)"
    "$uv" sync --frozen --python python3
    stamp_key >"$STAMP"
    say "Python environment ready in $((SECONDS - started)) s"
}

# --- Main --------------------------------------------------------------------------------

main() {
    local check=0 with_services=0 arg
    for arg in "$@"; do
        case $arg in
        --check) check=1 ;;
        --with-services) with_services=1 ;;
        -h | --help)
            sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            return 0
            ;;
        *) die "unknown option: $arg" ;;
        esac
    done

    command -v python3 >/dev/null 2>&1 || die "python3 is required (apt-get install python3)."
    local missing
    mapfile -t missing < <(missing_packages "$with_services")
    if [ "$check" = 1 ]; then
        if [ "${#missing[@]}" -eq 0 ]; then
            say "No system packages missing."
            return 0
        fi
        printf '%s\n' "${missing[@]}"
        return 1
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        install_system_packages "${missing[@]}"
    fi

    mkdir -p var
    if venv_is_current; then
        return 0
    fi
    sync_venv
}

main "$@"
