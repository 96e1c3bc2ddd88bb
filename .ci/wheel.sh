#!/usr/bin/env bash
# Builds sddgate's Python wheel with maturin (pyproject.toml: `bindings = "bin"`, the offline
# features, the release profile), installs that wheel file into a CLEAN virtualenv (no system
# site packages, `pip install --no-index`: nothing but the wheel), and prints the venv's path on
# stdout (everything else goes to stderr), so CI does
#   export SDDGATE_WHEEL_VENV="$(bash .ci/wheel.sh)"
# before `cargo test` (tests/wheel.rs runs the venv's `sddgate` and reads the wheel's metadata).
#
# Where things go (all under target/, override with the variables):
#   target/wheel-tools   maturin from PyPI                  SDDGATE_WHEEL_TOOLS
#   target/wheel-build   cargo's target dir for the wheel   SDDGATE_WHEEL_TARGET_DIR
#   target/wheels        the wheel file                     SDDGATE_WHEEL_OUT
#   target/wheel-venv    the clean venv it is installed in  SDDGATE_WHEEL_VENV
# SDDGATE_WHEEL_PROFILE picks another cargo profile (default: release, what ships).
#
# Idempotent: maturin from PyPI only when target/wheel-tools lacks it in range; the build is
# cargo's incremental one (seconds when nothing changed); the venv is made anew every run.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

spec='maturin>=1.9,<2'
tools=${SDDGATE_WHEEL_TOOLS:-$repo/target/wheel-tools}
build=${SDDGATE_WHEEL_TARGET_DIR:-$repo/target/wheel-build}
out=${SDDGATE_WHEEL_OUT:-$repo/target/wheels}
venv=${SDDGATE_WHEEL_VENV:-$repo/target/wheel-venv}
profile=${SDDGATE_WHEEL_PROFILE:-release}

say() { echo "wheel.sh: $*" >&2; }
die() { say "$*"; exit 2; }

python=${PYTHON:-}
if [ -z "$python" ]; then
  for p in python3 python; do
    if command -v "$p" >/dev/null 2>&1; then python=$p; break; fi
  done
fi
[ -n "$python" ] || die "python3 is required (apt-get install python3 python3-venv)"
command -v cargo >/dev/null 2>&1 || die "cargo is required to build the wheel"

maturin_ok() {
  [ -x "$tools/bin/maturin" ] && [ -x "$tools/bin/python" ] || return 1
  "$tools/bin/python" - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
v = tuple(int(p) for p in version("maturin").split(".")[:2])
sys.exit(0 if (1, 9) <= v < (2, 0) else 1)
PY
}

# Several callers at once must not build one tools venv twice.
mkdir -p "$(dirname "$tools")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$tools.lock"
  flock 9
fi
if ! maturin_ok; then
  if [ ! -x "$tools/bin/python" ]; then
    say "creating $tools"
    rm -rf "$tools"
    "$python" -m venv "$tools" >&2 || die "'$python -m venv' failed; on Debian: apt-get install python3-venv"
  fi
  say "installing '$spec' from PyPI"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "$spec" >&2
  maturin_ok || die "$tools/bin/maturin is missing or outside '$spec' after install"
fi
say "$("$tools/bin/maturin" --version)"

# The version the wheel must carry: Cargo.toml's (pyproject.toml declares it dynamic).
version=$(cargo metadata --locked --no-deps --format-version 1 --manifest-path "$repo/Cargo.toml" \
  | "$python" -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "sddgate"))') \
  || die "cannot read sddgate's version from Cargo.toml (cargo metadata failed)"

# Only this build's wheel in $out: an older version's or profile's must not be installed.
mkdir -p "$out"
rm -f "$out"/sddgate-*.whl
say "building the wheel of sddgate $version (profile $profile) into $out"
start=$(date +%s)
CARGO_TARGET_DIR=$build "$tools/bin/maturin" build --quiet --profile "$profile" --out "$out" \
  --manifest-path "$repo/Cargo.toml" >&2 || die "maturin build failed (see above)"
say "built in $(( $(date +%s) - start )) s"

shopt -s nullglob
wheels=("$out"/sddgate-"$version"-*.whl)
[ ${#wheels[@]} -eq 1 ] || die "expected one sddgate-$version-*.whl in $out, found: $(ls "$out")"
wheel=${wheels[0]}
say "$(basename "$wheel") ($(( $(stat -c %s "$wheel") / 1024 )) KiB)"

# A clean venv every run: no system site packages, nothing but pip and the wheel.
rm -rf "$venv"
"$python" -m venv "$venv" >&2 || die "'$python -m venv $venv' failed; on Debian: apt-get install python3-venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index --no-deps "$wheel" >&2 \
  || die "pip could not install $wheel into $venv"
[ -x "$venv/bin/sddgate" ] || die "installing $wheel put no sddgate in $venv/bin"
# Which wheel file this venv holds, for tests/wheel.rs (it reads the file's metadata).
printf '%s\n' "$wheel" > "$venv/sddgate-wheel.txt"
say "$("$venv/bin/sddgate" --version) in $venv"
echo "$venv"
