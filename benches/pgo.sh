#!/usr/bin/env bash
# Profile-guided build of sddgate (issue 6, performance): a measured lever, not the default build.
#
#   bash benches/pgo.sh [OUT]        default OUT: target/pgo/sddgate
#
# 1. builds sddgate instrumented (`-Cprofile-generate`) into target/pgo-gen, for the host target
#    named explicitly, so that RUSTFLAGS reach sddgate and its crates but not the build scripts
#    and proc macros (they would write profiles of their own during the build);
# 2. trains it: `check` in human, JSON and SARIF form on a generated corpus of TRAIN_N incidents
#    (examples/gen_corpus.rs, seed 7: another seed than the benchmark's corpus), and `check`,
#    `lint` and `readiness` on this repository's own examples (specs/, capstone/, fixtures/);
# 3. merges the raw profiles with llvm-profdata and builds sddgate with `-Cprofile-use` into
#    target/pgo-use, copied to OUT;
# 4. checks that OUT and a plain `cargo build --release` write byte-identical JSON reports of the
#    training corpus (profile data changes code layout and inlining, never behaviour; a
#    difference stops the script with exit 1).
#
# Time it like any build: `SDDGATE=target/pgo/sddgate bash benches/e2e.sh 10000`.
#
# Needs an llvm-profdata that reads the raw profiles of rustc's LLVM (`rustc -vV`): LLVM_PROFDATA
# if set, else the one of `rustup component add llvm-tools`, else the newest Debian one
# (/usr/lib/llvm-*/bin; llvm-19 reads rustc 1.95's LLVM 22 profiles: `apt-get install llvm-19`).
# Environment: TRAIN_N (default 2000), CARGO_TARGET_DIR (default target/).
set -euo pipefail
export LC_ALL=C NO_COLOR=1

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=${1:-$target/pgo/sddgate}
train_n=${TRAIN_N:-2000}
[[ $train_n =~ ^[0-9]+$ && $train_n -ge 1 ]] || { echo "TRAIN_N must be a number >= 1" >&2; exit 2; }
log() { printf '%s\n' "$*" >&2; }
die() {
  log "$*"
  exit 2
}

host=$(rustc -vV | sed -n 's/^host: //p')
[[ -n $host ]] || die "rustc -vV names no host"
profdata=${LLVM_PROFDATA:-}
if [[ -z $profdata ]]; then
  candidate="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
  if [[ -x $candidate ]]; then
    profdata=$candidate
  else
    profdata=$(find /usr/lib -maxdepth 3 -path '/usr/lib/llvm-*/bin/llvm-profdata' 2>/dev/null | sort -V | tail -1)
  fi
fi
[[ -n $profdata && -x $profdata ]] || die "no llvm-profdata: set LLVM_PROFDATA, or rustup component add llvm-tools, or apt-get install llvm-19"
log "== llvm-profdata: $profdata"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
raw=$work/raw
mkdir -p "$raw"

log "== plain release build (the generator, and the reference binary)"
(cd "$root" && cargo build --release --locked --quiet --bin sddgate --example gen_corpus)
plain=$target/release/sddgate
corpus=$work/corpus
"$target/release/examples/gen_corpus" "$train_n" "$corpus" --seed 7 >&2

log "== instrumented build (target/pgo-gen)"
(cd "$root" && RUSTFLAGS="-Cprofile-generate=$raw" CARGO_TARGET_DIR=$target/pgo-gen \
  cargo build --release --locked --quiet --bin sddgate --target "$host")
gen_bin=$target/pgo-gen/$host/release/sddgate

log "== training"
# Exit 1 (a blocked incident) is what these runs are for; 2 would be a broken run.
train() { # train DIR ARGS...
  local dir=$1 rc=0
  shift
  (cd "$dir" && "$gen_bin" "$@" >/dev/null 2>&1) || rc=$?
  ((rc <= 1)) || die "training run \`sddgate $*\` in $dir exited $rc"
}
for format in human json sarif; do train "$corpus" check --format "$format" .; done
train "$root" check
train "$root" lint specs
train "$root" readiness capstone/readiness.md
ls "$raw"/*.profraw >/dev/null 2>&1 || die "the training wrote no profile to $raw"
"$profdata" merge -o "$work/merged.profdata" "$raw"/*.profraw

log "== optimized build (target/pgo-use)"
(cd "$root" && RUSTFLAGS="-Cprofile-use=$work/merged.profdata" CARGO_TARGET_DIR=$target/pgo-use \
  cargo build --release --locked --quiet --bin sddgate --target "$host")
mkdir -p "$(dirname "$out")"
cp "$target/pgo-use/$host/release/sddgate" "$out"

log "== same reports as the plain build"
report() { (cd "$corpus" && "$1" check --format json . || true); }
cmp -s <(report "$plain") <(report "$out") || {
  log "the profile-guided binary's JSON report of $corpus differs from the plain build's"
  exit 1
}
log "   identical JSON reports of $train_n incidents"
echo "$out"
