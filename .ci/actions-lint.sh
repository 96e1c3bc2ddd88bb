#!/usr/bin/env bash
# Lints the GitHub Action and the workflows:
#   check-jsonschema --builtin-schema vendor.github-actions   action.yml
#   check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
#   zizmor --offline action.yml .github/workflows/
# Exits non-zero on any schema error or any zizmor finding (ignored ones excepted: zizmor's
# inline `# zizmor: ignore[rule]` comments, each with its reason beside it).
#
# Usage: bash .ci/actions-lint.sh [DIR]    lint DIR (default: this repository)
#        bash .ci/actions-lint.sh --install-only
#                                          install the tools, print their bin directory, lint nothing
#
# The tools come from PyPI into a virtualenv under target/ci-venv-actions (override with
# SDDGATE_ACTIONS_VENV). Idempotent: when the venv already holds both tools in the accepted
# ranges it touches neither pip nor the network. zizmor runs with --offline: it audits the files
# only, never asks GitHub about the actions they use (CI reaches PyPI but not GitHub).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# Ranges: check-jsonschema 0.39 vendors the SchemaStore schemas it checks against (a new minor
# may tighten them); zizmor's audits change between minors too, so a new minor is a deliberate bump.
specs=('check-jsonschema>=0.39,<0.40' 'zizmor>=1.32,<1.33')
venv=${SDDGATE_ACTIONS_VENV:-$repo/target/ci-venv-actions}
bin="$venv/bin"

installed_ok() {
  [ -x "$bin/python" ] && [ -x "$bin/zizmor" ] && [ -x "$bin/check-jsonschema" ] || return 1
  "$bin/python" - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
def v(name):
    return tuple(int(p) for p in version(name).split(".")[:2])
sys.exit(0 if (0, 39) <= v("check-jsonschema") < (0, 40) and (1, 32) <= v("zizmor") < (1, 33) else 1)
PY
}

install() {
  installed_ok && return 0
  local python=${PYTHON:-}
  if [ -z "$python" ]; then
    for p in python3 python; do
      if command -v "$p" >/dev/null 2>&1; then python=$p; break; fi
    done
  fi
  [ -n "$python" ] || { echo "actions-lint.sh: python3 is required (apt-get install python3 python3-venv)" >&2; exit 2; }
  if [ ! -x "$bin/python" ]; then
    echo "actions-lint.sh: creating $venv" >&2
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    if ! "$python" -m venv "$venv" >&2; then
      echo "actions-lint.sh: '$python -m venv' failed; on Debian: apt-get install python3-venv" >&2
      exit 2
    fi
  fi
  echo "actions-lint.sh: installing ${specs[*]} from PyPI" >&2
  "$bin/python" -m pip install --quiet --disable-pip-version-check "${specs[@]}" >&2
  installed_ok || { echo "actions-lint.sh: $bin lacks zizmor or check-jsonschema in range after install" >&2; exit 2; }
}

# Several callers at once (.ci/run, then the tests in parallel) must not build one venv twice.
mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$venv.lock"
  flock 9
fi
install
if command -v flock >/dev/null 2>&1; then
  flock -u 9
fi

if [ "${1:-}" = "--install-only" ]; then
  echo "$bin"
  exit 0
fi

dir=${1:-$repo}
cd "$dir"
[ -f action.yml ] || { echo "actions-lint.sh: no action.yml in $PWD" >&2; exit 2; }
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
[ ${#workflows[@]} -gt 0 ] || { echo "actions-lint.sh: no workflow under $PWD/.github/workflows" >&2; exit 2; }

status=0
echo "actions-lint.sh: $("$bin/check-jsonschema" --version), $("$bin/zizmor" --version)" >&2

echo "== check-jsonschema vendor.github-actions action.yml"
"$bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml || status=1

echo "== check-jsonschema vendor.github-workflows ${workflows[*]}"
"$bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}" || status=1

echo "== zizmor --offline action.yml .github/workflows/"
# --offline: no GitHub API (the online audits need it; CI cannot reach GitHub). Every finding,
# of any severity, fails the run: zizmor exits non-zero when it reports one.
"$bin/zizmor" --offline --no-progress --color never action.yml .github/workflows/ || status=1

if [ "$status" -ne 0 ]; then
  echo "actions-lint.sh: FAILED (see above)" >&2
else
  echo "actions-lint.sh: ok"
fi
exit "$status"
