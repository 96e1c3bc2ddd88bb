#!/usr/bin/env bash
# Installs the pre-commit framework from PyPI into a virtualenv under target/ci-venv and prints
# the path of its `pre-commit` executable on stdout (everything else goes to stderr), so CI does
#   export SDDGATE_PRE_COMMIT="$(bash .ci/precommit.sh)"
# before `cargo test` (tests/precommit_framework.rs runs hooks through it).
# Idempotent: when the venv already holds a pre-commit in the accepted range it only prints the
# path (no pip, no network). Override the location with SDDGATE_CI_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."

# >= 3.2: stage names `pre-commit` / `commit-msg` (the ones .pre-commit-hooks.yaml uses).
spec='pre-commit>=3.2,<5'
venv=${SDDGATE_CI_VENV:-$PWD/target/ci-venv}
exe="$venv/bin/pre-commit"

# The installed version is read from the package metadata (fast: no import of pre-commit).
installed_ok() {
  [ -x "$exe" ] && [ -x "$venv/bin/python" ] || return 1
  "$venv/bin/python" - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
v = tuple(int(p) for p in version("pre-commit").split(".")[:2])
sys.exit(0 if (3, 2) <= v < (5, 0) else 1)
PY
}

if ! installed_ok; then
  python=${PYTHON:-}
  if [ -z "$python" ]; then
    for p in python3 python; do
      if command -v "$p" >/dev/null 2>&1; then python=$p; break; fi
    done
  fi
  [ -n "$python" ] || { echo "precommit.sh: python3 is required (apt-get install python3 python3-venv)" >&2; exit 2; }
  if [ ! -x "$venv/bin/python" ]; then
    echo "precommit.sh: creating $venv" >&2
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    if ! "$python" -m venv "$venv" >&2; then
      echo "precommit.sh: '$python -m venv' failed; on Debian: apt-get install python3-venv" >&2
      exit 2
    fi
  fi
  echo "precommit.sh: installing '$spec' from PyPI" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$spec" >&2
  installed_ok || { echo "precommit.sh: $exe is missing or outside '$spec' after install" >&2; exit 2; }
fi

echo "precommit.sh: $("$exe" --version)" >&2
echo "$exe"
