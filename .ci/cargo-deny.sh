#!/usr/bin/env bash
# Supply chain: `cargo deny check bans licenses sources` against deny.toml.
#
# Usage: bash .ci/cargo-deny.sh                  install if needed, then check this repository
#        bash .ci/cargo-deny.sh --install-only   install if needed, print the binary's path
#
# cargo-deny comes from crates.io (`cargo install --locked`, a pinned version) into
# target/ci-tools (override with SDDGATE_TOOLS_DIR); an installed binary of the pinned version
# is reused without touching the network. `advisories` is not checked here: it needs the RustSec
# database from github.com, which the CI machines do not reach (.github/workflows/ci.yml runs it
# on GitHub's runners).
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.20.2
tools=${SDDGATE_TOOLS_DIR:-$PWD/target/ci-tools}
bin="$tools/bin/cargo-deny"

if ! { [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -qx "cargo-deny $version"; }; then
  echo "installing cargo-deny $version into $tools (a few minutes: it is built from source)" >&2
  cargo install --locked --quiet cargo-deny --version "=$version" --root "$tools" >&2
fi
if [ "${1:-}" = --install-only ]; then
  echo "$bin"
  exit 0
fi
exec "$bin" --locked check --hide-inclusion-graph bans licenses sources
