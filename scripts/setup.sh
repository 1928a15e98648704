#!/usr/bin/env bash
# Set up everything pyhotline needs on a fresh machine (Debian/Ubuntu with Python 3.11):
# system libraries for PDF output, a virtual environment in .venv, and the package itself.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# WeasyPrint (PDF) needs Pango; libharfbuzz-subset0 makes font subsetting fast; fontconfig finds fonts.
need=()
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# Debian/Ubuntu ship venv support separately from python3.
python3 -c "import ensurepip" >/dev/null 2>&1 || need+=("python3-venv")
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${need[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup: please install as root: apt-get install ${need[*]}" >&2; exit 1; }
        SUDO="sudo"
    fi
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.setup-stamp
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing pyhotline and its dependencies into .venv" >&2
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
    echo "$want" > "$stamp"
fi
