#!/usr/bin/env bash
# Benchmark of `sddgate hook run pre-commit` in a large repository (issue 5, "Speed").
#
#   bash benches/hook.sh [N]        N incidents, default 10000
#
# Builds sddgate in release mode, generates (once, cached under target/bench-hook/) a git
# repository with N clean incidents `specs/inc_NNNNN/{specify,readiness,tasks,rollback}.md`
# in one commit, then times, median of RUNS runs each:
#   (a) the hook on a staged change to ONE incident's specify.md     target: < 20 ms
#   (b) the hook on a staged change touching no spec (src/main.rs)   target: < (c)
#   (c) starting git twice: `git rev-parse HEAD`, two times           the yardstick for (b)
#   (d) for reference, `git diff --cached --name-only` with (b) staged: what one git reading the
#       whole index costs (its size grows with the repository; rev-parse does not read it)
# and prints the medians, the ratio (b)/(c) and whether each target is met.
#
# Uses hyperfine when it is installed (`apt-get install hyperfine`; run without a shell, -N),
# else a bash loop timed with $EPOCHREALTIME. Environment:
#   RUNS=N        timed runs per case (default 50)      WARMUP=N  untimed runs first (default 5)
#   SDDGATE=PATH  time this binary instead of building   BENCH_DIR=DIR  where repos are kept
#   BENCH_STRICT=1  exit 1 when a target is missed
#   NO_HYPERFINE=1  use the bash loop even when hyperfine is installed
set -euo pipefail
export LC_ALL=C # "." in $EPOCHREALTIME and awk's numbers

n=${1:-10000}
[[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 99999 ]] || { echo "usage: $0 [N incidents, 1..99999]" >&2; exit 2; }
runs=${RUNS:-50}
warmup=${WARMUP:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
bench_dir=${BENCH_DIR:-$target/bench-hook}

# Isolate git from the caller: no enclosing hook's GIT_DIR/index, no user or system config.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_COMMON_DIR
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null NO_COLOR=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# sddgate, release build
if [[ -n ${SDDGATE:-} ]]; then
  bin=$SDDGATE
else
  log "== cargo build --release"
  (cd "$root" && cargo build --release --quiet)
  bin=$target/release/sddgate
fi
[[ -x $bin ]] || { log "no sddgate binary at $bin"; exit 2; }
if ! "$bin" hook --help >/dev/null 2>&1; then
  log "$bin has no \`hook run\` subcommand yet: nothing to time"
  exit 2
fi

# ---------------------------------------------------------------------------------------------
# The repository: N incidents in one commit, written with git fast-import (no per-file process),
# then checked out. Kept between runs; regenerated when N or this generator changes.
gen_version=1
repo=$bench_dir/repo-$n
marker=$repo/.git/sddgate-bench
if [[ ! -f $marker || $(cat "$marker") != "$gen_version" ]]; then
  log "== generating $repo ($n incidents, $((4 * n)) files)"
  rm -rf "$repo"
  mkdir -p "$repo"
  git -C "$repo" init -q -b main
  git -C "$repo" config core.autocrlf false
  git -C "$repo" config commit.gpgsign false
  start=$EPOCHREALTIME
  LC_ALL=C awk -v n="$n" '
    function data(text) { printf "data <<SDDGATE_EOF\n%sSDDGATE_EOF\n", text }
    BEGIN {
      # Shared blobs: tasks.md and rollback.md are identical in every incident.
      print "blob"; print "mark :1"
      data("# Tasks\n- T1 idempotent restart\n")
      print "blob"; print "mark :2"
      data("# Rollback\nRestore the previous pod.\n")
      print "blob"; print "mark :3"
      data("# bench repository\n")
      for (i = 1; i <= n; i++) {
        id = sprintf("%05d", i); dir = "specs/inc_" id
        print "blob"; printf "mark :%d\n", 2 * i + 2
        data("---\nincident_type: inc_" id "\nservice: billing-api-" id "\nnamespace: billing\n" \
             "blast_radius: pod\nstateful: false\n---\n# inc_" id " - billing-api\n\n" \
             "## Why\nA full disk stops writes and the service returns 500s.\n\n" \
             "## What\nFree space on the affected pod without losing data.\n\n" \
             "## Constraints\nNever touch a stateful volume; one pod at a time.\n\n" \
             "## Acceptance\nGiven disk usage above 95%, when the action runs, then usage " \
             "falls below 80% within 10 minutes.\n\n" \
             "## Pre-approved actions\n- restart_pod\n- rotate_logs (requires: log_volume_mounted)\n")
        print "blob"; printf "mark :%d\n", 2 * i + 3
        data("---\nincident_id: DF-2026-06-01-" id "\nspec: " dir "/specify.md\n" \
             "scores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}\n" \
             "evidence:\n  implementation: " dir "/tasks.md\naudit_trace_coverage: 1.0\n" \
             "stateful: false\nradius_of_impact: pod\ndry_run_verified: true\n" \
             "rollback: " dir "/rollback.md\n---\n# Readiness\n")
      }
      print "commit refs/heads/main"
      print "committer bench <bench@example.invalid> 946684800 +0000"
      data(n " incidents\n")
      print "M 100644 :3 README.md"
      for (i = 1; i <= n; i++) {
        id = sprintf("%05d", i); dir = "specs/inc_" id
        printf "M 100644 :%d %s/specify.md\n", 2 * i + 2, dir
        printf "M 100644 :%d %s/readiness.md\n", 2 * i + 3, dir
        printf "M 100644 :1 %s/tasks.md\n", dir
        printf "M 100644 :2 %s/rollback.md\n", dir
      }
      print "done"
    }' | git -C "$repo" fast-import --quiet --done
  git -C "$repo" checkout -q -f main
  # Let the checkout's timestamps age past the index's, then rewrite the index, so no entry is
  # "racily clean" (git would re-read such files on every status/diff).
  sleep 1
  git -C "$repo" update-index -q --really-refresh >/dev/null || true
  git -C "$repo" status --porcelain >/dev/null
  echo "$gen_version" >"$marker"
  end=$EPOCHREALTIME
  log "   generated in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }')"
fi
# Back to HEAD, whatever an interrupted run left staged.
cd "$repo"
git reset -q --hard HEAD
git clean -q -fdx

# The incident (a) edits: one in the middle.
pick=$(printf 'inc_%05d' $(((n + 1) / 2)))
spec=specs/$pick/specify.md

# ---------------------------------------------------------------------------------------------
# Timing
use_hyperfine=0
if [[ -z ${NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null 2>&1 &&
  hyperfine --help 2>/dev/null | grep -q -- '--shell'; then
  use_hyperfine=1
fi

# median_ms NAME CMD... : median wall time of CMD in ms (3 decimals), run in the current dir.
median_ms() {
  local name=$1
  shift
  if ((use_hyperfine)); then
    local csv
    csv=$(mktemp)
    # -N: no intermediate shell, so the number is the process itself.
    hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-csv "$csv" \
      --command-name "$name" -- "$(printf '%q ' "$@")" >/dev/null
    awk -F, 'NR == 2 { printf "%.3f\n", $4 * 1000 }' "$csv"
    rm -f "$csv"
  else
    local i t0 t1 samples=()
    for ((i = 0; i < warmup; i++)); do "$@" >/dev/null 2>&1 || true; done
    for ((i = 0; i < runs; i++)); do
      t0=$EPOCHREALTIME
      "$@" >/dev/null 2>&1 || true
      t1=$EPOCHREALTIME
      samples+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
    done
    printf '%s\n' "${samples[@]}" | sort -g | awk '{ v[NR] = $1 } END {
      if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
  fi
}

# Runs git twice in one timed sample (the bash loop times a function; hyperfine cannot run two
# processes per sample without a shell, so there (c) = 2 x the median of one `git rev-parse`).
git_twice() { git rev-parse HEAD >/dev/null && git rev-parse HEAD >/dev/null; }

check_exit() {
  local what=$1 out code
  set +e
  out=$("$bin" hook run pre-commit 2>&1)
  code=$?
  set -e
  if ((code != 0)); then
    log "sddgate hook run pre-commit exited $code on $what (expected 0, a passing commit):"
    log "$out"
    exit 1
  fi
}

if ((use_hyperfine)); then
  how="hyperfine $(hyperfine --version | awk '{ print $2 }'), -N"
else
  how="bash loop timed with \$EPOCHREALTIME"
fi
log "== timing ($runs runs, $warmup warm-up; $how)"
entries=$(git ls-files | wc -l)
log "   repo: $repo ($n incidents, $entries files in the index)"

# (a) one incident's spec changed and staged
sed -i 's/A full disk stops writes/A full disk stops all writes/' "$spec"
git add -- "$spec"
[[ -n $(git diff --cached --name-only) ]] || { log "the spec edit staged nothing"; exit 2; }
check_exit "a staged edit of $spec"
a=$(median_ms "hook-one-incident" "$bin" hook run pre-commit)
git reset -q --hard HEAD

# (b) a change touching no spec
mkdir -p src
printf 'fn main() {}\n' >src/main.rs
git add src/main.rs
check_exit "a staged src/main.rs"
b=$(median_ms "hook-no-spec" "$bin" hook run pre-commit)
# (d) for reference: one git that reads the index, as any staged-content check must
d=$(median_ms "git-diff-cached" git diff --cached --name-only -z)
git rm -q --cached src/main.rs
rm -rf src

# (c) git started twice
if ((use_hyperfine)); then
  one=$(median_ms "git-once" git rev-parse HEAD)
  c=$(awk -v x="$one" 'BEGIN { printf "%.3f", 2 * x }')
  c_how="2 x median of one \`git rev-parse HEAD\` ($one ms)"
else
  c=$(median_ms "git-twice" git_twice)
  c_how="\`git rev-parse HEAD\` twice in one sample"
fi
git reset -q --hard HEAD

ratio=$(awk -v b="$b" -v c="$c" 'BEGIN { printf "%.2f", b / c }')
verdict_a=$(awk -v a="$a" 'BEGIN { print (a < 20) ? "met" : "MISSED" }')
verdict_b=$(awk -v b="$b" -v c="$c" 'BEGIN { print (b < c) ? "met" : "MISSED" }')

printf '\nsddgate hook benchmark: %d incidents, median of %d runs (%s)\n' "$n" "$runs" "$how"
printf '  (a) hook, one incident staged     %9.3f ms   target < 20 ms: %s   (%s)\n' "$a" "$verdict_a" "$spec"
printf '  (b) hook, no spec staged          %9.3f ms   (src/main.rs)\n' "$b"
printf '  (c) git started twice             %9.3f ms   (%s)\n' "$c" "$c_how"
printf '  (d) git diff --cached, once       %9.3f ms   (reference: one git reading the %d-entry index)\n' "$d" "$entries"
printf '  (b)/(c) = %s                       target < 1: %s\n' "$ratio" "$verdict_b"

if [[ -n ${BENCH_STRICT:-} && ($verdict_a != met || $verdict_b != met) ]]; then
  exit 1
fi
