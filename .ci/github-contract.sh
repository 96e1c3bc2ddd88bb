#!/usr/bin/env bash
# Installs the GitHub API contract tooling the `sddgate ci` tests run against (Prism, GitHub's
# OpenAPI description, GitHub's example webhook payloads; exact versions in
# tests/github-contract/package-lock.json) and prepares the description for Prism
# (tests/github-contract/prepare.mjs). Prints the absolute path of the `prism` executable on the
# last line of stdout (everything else goes to stderr), so CI does
#   export SDDGATE_PRISM="$(bash .ci/github-contract.sh)"
# before `cargo test` (tests/support/prism.rs also finds it there without the variable).
# Needs node >= 18.20.1 and npm; network only for `npm ci` (the npm registry).
# Idempotent: when node_modules was installed from the current lock by the current node, it only
# re-runs the (stamped, no-op when unchanged) prepare step and prints the path.
set -euo pipefail
cd "$(dirname "$0")/../tests/github-contract"
dir=$PWD

die() { echo "github-contract.sh: $*" >&2; exit 2; }

command -v node >/dev/null 2>&1 || die "node is required (>= 18.20.1; e.g. apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm is required (apt-get install npm)"
# Prism 5.14.2 (the last release that runs on node 18/20; 5.15+ needs node 24) and its
# prism-core/-http/-http-server pinned through "overrides" in package.json.
node -e '
  const [a, b, c] = process.versions.node.split(".").map(Number);
  process.exit(a > 18 || (a === 18 && (b > 20 || (b === 20 && c >= 1))) ? 0 : 1);
' || die "node $(node --version) is too old: Prism needs >= 18.20.1"

prism="$dir/node_modules/.bin/prism"
stamp="$dir/node_modules/.sddgate-install"
want="$(node -e '
  const { createHash } = require("node:crypto");
  const lock = require("node:fs").readFileSync("package-lock.json");
  console.log(process.version + " " + createHash("sha256").update(lock).digest("hex"));
')"

if [ -x "$prism" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "github-contract.sh: node_modules is up to date with package-lock.json" >&2
else
  echo "github-contract.sh: npm ci in $dir" >&2
  start=$(date +%s)
  # --loglevel=error: no npm notices or deprecation warnings; errors still fail the script.
  npm ci --no-audit --no-fund --loglevel=error >&2 || die "npm ci failed (see above)"
  [ -x "$prism" ] || die "npm ci succeeded but $prism is missing"
  echo "$want" >"$stamp"
  echo "github-contract.sh: installed in $(($(date +%s) - start)) s" >&2
fi

node prepare.mjs >&2 || die "prepare.mjs failed (see above)"
[ -s generated/sddgate.prism.json ] || die "prepare.mjs wrote no generated/sddgate.prism.json"

version="$("$prism" --version 2>&1)" || die "$prism --version failed: $version"
echo "github-contract.sh: prism $version (node $(node --version))" >&2
echo "$prism"
