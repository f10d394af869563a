#!/usr/bin/env bash
# Installs the fakesnow server (PyPI fakesnow[server]) into a venv cached under
# ${INSIGHTHUB_CACHE:-~/.cache/insighthub}/fakesnow-<version>; prints the venv's python on stdout
# (progress goes to stderr). A second run only checks the stamp and returns at once.
#   e2e/bin/provision-fakesnow.sh        -> /root/.cache/insighthub/fakesnow-0.12.1/bin/python
# Needs python3 >= 3.11 with venv (on Debian, python3-venv is installed when running as root).
# Concurrent callers are serialized with flock; the second one then finds the cache.
set -euo pipefail
VERSION="${FAKESNOW_VERSION:-0.12.1}"
CACHE_ROOT="${INSIGHTHUB_CACHE:-${HOME:?HOME must be set}/.cache/insighthub}"
VENV="$CACHE_ROOT/fakesnow-$VERSION"
STAMP="fakesnow[server]==$VERSION"

log() { printf '[provision-fakesnow] %s\n' "$*" >&2; }
die() { printf '[provision-fakesnow] ERROR: %s\n' "$*" >&2; exit 1; }
ready() { [[ -x "$VENV/bin/python" && -f "$VENV/.complete" && "$(cat "$VENV/.complete")" == "$STAMP" ]]; }

if ready; then
  echo "$VENV/bin/python"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.fakesnow.lock"
if ! flock -n 9; then
  log "another provision-fakesnow.sh holds $CACHE_ROOT/.fakesnow.lock - waiting ..."
  flock 9
fi
if ready; then
  echo "$VENV/bin/python"
  exit 0
fi

command -v python3 >/dev/null || die "python3 is required (>= 3.11)"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
  die "fakesnow $VERSION needs python >= 3.11, found $(python3 --version 2>&1)"
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  [[ "$(id -u)" == 0 ]] || die "python3 has no venv/ensurepip: install python3-venv (as root)"
  log "installing python3-venv from Debian"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
fi
rm -rf "$VENV"
log "installing $STAMP into $VENV"
python3 -m venv "$VENV" >&2
# fakesnow 0.12.1 imports snowflake.connector.converter, which snowflake-connector-python 5
# removed ("No module named 'snowflake.connector.converter'"), so the connector is pinned below 5.
"$VENV/bin/pip" install -q --disable-pip-version-check "$STAMP" 'snowflake-connector-python<5' >&2
"$VENV/bin/python" -c 'import fakesnow.server' >&2 || die "fakesnow does not import in $VENV"
printf '%s' "$STAMP" >"$VENV/.complete"
log "done: $VENV"
echo "$VENV/bin/python"
