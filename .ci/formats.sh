#!/usr/bin/env bash
# Installs the consumers' own validators for sddgate's report formats (tests/formats.rs):
#   SARIF 2.1.0  the official JSON schema (sarif-2.1.0-rtm.5.json), as Microsoft ships it in the
#                npm package @microsoft/jest-sarif; validated with check-jsonschema (PyPI)
#   GitLab       check-jsonschema against tests/schemas/gitlab-codequality.schema.json (ours:
#                GitLab publishes no schema for Code Quality reports in any registry)
#   JUnit        junitparser (PyPI), a real consumer's parser, and Python's expat for XML 1.0
#
# Usage: bash .ci/formats.sh     install (idempotent), print `export VAR=path` lines for
#                                SDDGATE_SARIF_SCHEMA, SDDGATE_CHECK_JSONSCHEMA and
#                                SDDGATE_JUNIT_PYTHON; use as: eval "$(bash .ci/formats.sh)"
#
# Everything goes under target/ci-formats (override with SDDGATE_FORMATS_DIR). When the pinned
# versions are already there, neither pip nor npm is run.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

dir=${SDDGATE_FORMATS_DIR:-$repo/target/ci-formats}
venv="$dir/venv"
bin="$venv/bin"
specs=('check-jsonschema>=0.39,<0.40' 'junitparser>=5.0,<6')
sarif_pkg='@microsoft/jest-sarif@1.0.0-beta.0'
schema="$dir/sarif-schema-2.1.0.json"
schema_sha256=2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8

mkdir -p "$dir"
# Several callers at once (.ci/run, then tests in parallel) must not install twice.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$dir.lock"
  flock 9
fi

venv_ok() {
  [ -x "$bin/python" ] && [ -x "$bin/check-jsonschema" ] || return 1
  "$bin/python" - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
def v(name):
    return tuple(int(p) for p in version(name).split(".")[:2])
sys.exit(0 if (0, 39) <= v("check-jsonschema") < (0, 40) and (5, 0) <= v("junitparser") < (6, 0) else 1)
PY
}

if ! venv_ok; then
  python=${PYTHON:-}
  if [ -z "$python" ]; then
    for p in python3 python; do
      if command -v "$p" >/dev/null 2>&1; then python=$p; break; fi
    done
  fi
  [ -n "$python" ] || { echo "formats.sh: python3 is required (apt-get install python3 python3-venv)" >&2; exit 2; }
  if [ ! -x "$bin/python" ]; then
    echo "formats.sh: creating $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2 || { echo "formats.sh: '$python -m venv' failed; on Debian: apt-get install python3-venv" >&2; exit 2; }
  fi
  echo "formats.sh: installing ${specs[*]} from PyPI" >&2
  "$bin/python" -m pip install --quiet --disable-pip-version-check "${specs[@]}" >&2
  venv_ok || { echo "formats.sh: $venv lacks check-jsonschema or junitparser in range after install" >&2; exit 2; }
fi

if [ ! -s "$schema" ]; then
  command -v npm >/dev/null 2>&1 || { echo "formats.sh: npm is required for the SARIF schema (apt-get install npm)" >&2; exit 2; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "formats.sh: fetching $sarif_pkg from npm (for its sarif-2.1.0-rtm.5.json)" >&2
  # npm pack checks the tarball against the registry's integrity hash; no install scripts run.
  (cd "$tmp" && npm pack --silent "$sarif_pkg" >/dev/null 2>&1) || { echo "formats.sh: npm pack $sarif_pkg failed" >&2; exit 2; }
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/schemas/sarif-2.1.0-rtm.5.json
  # Pinned: the schema file of that release (OASIS SARIF 2.1.0, rtm.5, draft-04), byte for byte.
  got=$(sha256sum "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" | cut -d' ' -f1)
  [ "$got" = "$schema_sha256" ] || { echo "formats.sh: $sarif_pkg's schema has sha256 $got, expected $schema_sha256" >&2; exit 2; }
  mv "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$schema"
fi

if command -v flock >/dev/null 2>&1; then
  flock -u 9
fi

echo "export SDDGATE_SARIF_SCHEMA='$schema'"
echo "export SDDGATE_CHECK_JSONSCHEMA='$bin/check-jsonschema'"
echo "export SDDGATE_JUNIT_PYTHON='$bin/python'"
