#!/usr/bin/env bash
# Installs the fakesnow server (PyPI fakesnow[server]) into a venv cached under
# ~/.cache/insighthub/fakesnow-<version>; prints the venv's python. Second runs return at once.
#   e2e/bin/provision-fakesnow.sh        -> /root/.cache/insighthub/fakesnow-0.12.1/bin/python
set -euo pipefail
VERSION="${FAKESNOW_VERSION:-0.12.1}"
VENV="${INSIGHTHUB_CACHE:-$HOME/.cache/insighthub}/fakesnow-$VERSION"
if [[ ! -f "$VENV/.complete" ]]; then
  command -v python3 >/dev/null || { echo "provision-fakesnow: python3 is required" >&2; exit 1; }
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    echo "provision-fakesnow: installing python3-venv from Debian" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
  fi
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2
  # fakesnow 0.12.1 imports snowflake.connector.converter, which snowflake-connector-python 5
  # removed ("No module named 'snowflake.connector.converter'"), so the connector is pinned below 5.
  "$VENV/bin/pip" install -q --disable-pip-version-check "fakesnow[server]==$VERSION" \
    'snowflake-connector-python<5' >&2
  touch "$VENV/.complete"
fi
echo "$VENV/bin/python"
