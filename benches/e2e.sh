#!/usr/bin/env bash
# End-to-end benchmark of `sddgate check` on large synthetic repositories (issue 6, performance).
#
#   bash benches/e2e.sh [N ...]     N incidents per corpus, default: 1000 10000 50000
#
# Builds sddgate and the corpus generator (examples/gen_corpus.rs) in release mode, generates
# each corpus once (cached under target/bench-e2e/corpus-N; regenerated when the generator's
# source or SEED changes): N incidents, 5 Markdown files each (specify, plan, tasks, validation,
# readiness), ~10% of specs with a planted concrete command, ~15% of readiness documents with a
# blocker, ~8% semi-manual, and the trace log .sddgate/trace.jsonl with every incident's chain
# (~3% of chains miss a link: blocked). Then per corpus:
#   1. checks that `sddgate check` decides what the generator planted (its exit code is 1 by
#      design; an exit 2 stops the benchmark, a different pass/semi/block count is reported);
#   2. warms the page cache (every file read once);
#   3. times with hyperfine (-N: no shell in between; -i: nonzero exits are expected), from
#      inside the corpus (sddgate finds the repository root from the working directory):
#        sddgate   `sddgate check .`                          the whole gate, human report
#        rg        `rg --no-config -i -w -c -f PATTERNS .`    the peer: every file of the corpus
#                  scanned for the default command words alone, one count per file
#        rg-2doc   the same, restricted to `-g specify.md -g readiness.md` (the files sddgate
#                  parses; it also reads the head of each evidence file): a stricter reference
#        mdl       `markdownlint-cli2 --config benches/peers/.markdownlint-cli2.jsonc '**/*.md'`,
#                  a second peer (a Markdown linter with every default rule), on corpora of at
#                  most MDL_MAX_N incidents only: it takes 13-17 s per 1,000 incidents
#   4. measures the peak RSS of sddgate and rg with GNU time (`/usr/bin/time -f %M`), median of
#      RSS_RUNS runs (of MDL_RUNS runs for markdownlint-cli2).
#
# PATTERNS is derived at every run from the built-in tool table, src/lint/builtin.rs: every
# `t("name", ...)` entry of TOOLS plus the built-in aliases (`k`), one word per line, written to
# target/bench-e2e/rg-patterns.txt; so it can never be stale (the run stops if the table's shape
# changes and fewer than 60 words come out). rg is asked the naive question — which lines name an
# ops tool, as a whole word, in any case — without sddgate's invocation rules, SQL statements or
# raw API calls: it is the floor for "read every file and look for command words".
#
# Prints (stdout) a table: N, files, the medians, the ratio sddgate/rg (target <= 1.0), the peak
# RSS of sddgate (target <= 64 MiB) and of rg, and ms per 1,000 incidents (constant = linear
# scaling); then the markdownlint-cli2 line(s). Progress goes to stderr.
#
# Needs: cargo, hyperfine and rg (`apt-get install hyperfine ripgrep`), GNU time for RSS
# (`apt-get install time`; skipped without it), node >= 20 and npm for markdownlint-cli2
# (installed here by `npm ci` from benches/peers/package-lock.json into benches/peers/node_modules;
# skipped without node). Environment:
#   RUNS=N         timed runs per case (default 10)         WARMUP=N  untimed runs first (default 2)
#   MDL_RUNS=N     timed runs of markdownlint-cli2 (default 3; its warm-up is 1)
#   MDL_MAX_N=N    largest corpus markdownlint-cli2 is run on (default 1000; 0 = never)
#   RSS_RUNS=N     runs for the peak RSS median (default 5)
#   SEED=S         corpus seed (default 1)                   SDDGATE=PATH  time this binary
#   PGO=1          time the profile-guided build of benches/pgo.sh (trained on another corpus)
#   BENCH_DIR=DIR  where corpora are kept (default target/bench-e2e)
#   BENCH_STRICT=1 exit 1 when a target is missed (or a decision count differs)
# shellcheck disable=SC2016 # backquotes in printed text, not command substitutions
set -euo pipefail
export LC_ALL=C NO_COLOR=1

runs=${RUNS:-10}
warmup=${WARMUP:-2}
mdl_runs=${MDL_RUNS:-3}
mdl_max=${MDL_MAX_N:-1000}
rss_runs=${RSS_RUNS:-5}
seed=${SEED:-1}
sizes=("$@")
((${#sizes[@]})) || sizes=(1000 10000 50000)
for n in "${sizes[@]}"; do
  [[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 99999 ]] || {
    echo "usage: $0 [N incidents, 1..99999 ...]" >&2
    exit 2
  }
done
for v in "$runs" "$warmup" "$mdl_runs" "$mdl_max" "$rss_runs" "$seed"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "RUNS, WARMUP, MDL_RUNS, MDL_MAX_N, RSS_RUNS and SEED must be numbers" >&2; exit 2; }
done
((runs >= 1 && mdl_runs >= 1 && rss_runs >= 1)) || { echo "RUNS, MDL_RUNS and RSS_RUNS must be >= 1" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
bench_dir=${BENCH_DIR:-$target/bench-e2e}
mkdir -p "$bench_dir"
bench_dir=$(cd "$bench_dir" && pwd)

log() { printf '%s\n' "$*" >&2; }
die() {
  log "$*"
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Tools
need() { # need CMD HOW
  command -v "$1" >/dev/null 2>&1 || die "$1 is required and not installed: $2"
}
need hyperfine "apt-get install hyperfine (or cargo install hyperfine)"
need rg "apt-get install ripgrep (or cargo install ripgrep)"
need cargo "install Rust from https://rustup.rs"
[[ $(hyperfine --help 2>/dev/null) == *--export-csv* ]] || die "hyperfine is too old (no --export-csv): install >= 1.11"
have_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
  have_time=1
else
  log "note: GNU time (/usr/bin/time) not found: peak RSS is not measured (apt-get install time)"
fi

# ---------------------------------------------------------------------------------------------
# Builds
log "== cargo build --release (sddgate, examples/gen_corpus)"
if [[ -n ${SDDGATE:-} ]]; then
  bin=$SDDGATE
  (cd "$root" && cargo build --release --quiet --example gen_corpus)
elif [[ ${PGO:-0} == 1 ]]; then
  log "== profile-guided build (benches/pgo.sh)"
  bin=$(bash "$root/benches/pgo.sh")
else
  (cd "$root" && cargo build --release --quiet --bin sddgate --example gen_corpus)
  bin=$target/release/sddgate
fi
[[ -x $bin ]] || die "no sddgate binary at $bin"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
gen=$target/release/examples/gen_corpus
[[ -x $gen ]] || die "no generator at $gen"

# ---------------------------------------------------------------------------------------------
# The rg patterns, from the built-in tool table
builtin=$root/src/lint/builtin.rs
patterns=$bench_dir/rg-patterns.txt
{
  # TOOLS: `t("kubectl", false, ...)`, sometimes with `t(` and the name on separate lines.
  awk '/^pub\(crate\) const TOOLS/ { on = 1 } on { print } on && /^\];/ { exit }' "$builtin" |
    tr '\n' ' ' | grep -oE 't\( *"[^"]+"' | sed -E 's/^t\( *"//; s/"$//'
  # ALIASES: `("k", "kubectl")`
  awk '/^pub\(crate\) const ALIASES/ { on = 1 } on { print } on && /\];/ { exit }' "$builtin" |
    grep -oE '\( *"[^"]+" *,' | sed -E 's/^\( *"//; s/" *,$//'
} | sort -u >"$patterns"
n_patterns=$(wc -l <"$patterns")
((n_patterns >= 60)) || die "only $n_patterns tool words extracted from $builtin (expected >= 60): has the table's shape changed? fix the extraction in $0"
grep -qx kubectl "$patterns" || die "kubectl not among the words extracted from $builtin"
grep -vqE '^[A-Za-z0-9_-]+$' "$patterns" && die "unexpected characters in the words extracted from $builtin: $(grep -vE '^[A-Za-z0-9_-]+$' "$patterns" | head -3)"
rg_args=(--no-config -i -w -c -f "$patterns")
rg_shown="rg --no-config -i -w -c -f ${patterns#"$root"/}"
log "   rg patterns: $n_patterns words from ${builtin#"$root"/} -> $patterns"

# ---------------------------------------------------------------------------------------------
# markdownlint-cli2, pinned in benches/peers/package-lock.json
peers=$root/benches/peers
mdl=$peers/node_modules/.bin/markdownlint-cli2
mdl_config=$peers/.markdownlint-cli2.jsonc
mdl_wanted=0
for n in "${sizes[@]}"; do ((n <= mdl_max)) && mdl_wanted=1; done
if ((mdl_wanted)); then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "note: node/npm not installed: markdownlint-cli2 is skipped (apt-get install nodejs npm; node >= 20)"
    mdl_wanted=0
  elif (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
    log "note: node $(node --version) is older than 20: markdownlint-cli2 is skipped"
    mdl_wanted=0
  else
    lock_sum=$(sha256sum "$peers/package-lock.json" | cut -d' ' -f1)
    if [[ ! -x $mdl || $(cat "$peers/node_modules/.e2e-lock" 2>/dev/null) != "$lock_sum" ]]; then
      log "== npm ci (benches/peers: markdownlint-cli2)"
      (cd "$peers" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
      echo "$lock_sum" >"$peers/node_modules/.e2e-lock"
    fi
    mdl_version=$("$mdl" --help 2>/dev/null || true)
    mdl_version=${mdl_version%%$'\n'*}
  fi
fi

# ---------------------------------------------------------------------------------------------
# Corpora: target/bench-e2e/corpus-N, stamped with the generator's source hash and the seed.
gen_stamp="$(sha256sum "$root/examples/gen_corpus.rs" | cut -d' ' -f1) seed=$seed"
declare -A gen_time
corpus_for() { # corpus_for N: sets $corpus, generating it when missing or stale
  local n=$1 dir=$bench_dir/corpus-$1 t0 t1 summary
  if [[ ! -f $dir/.git/e2e-stamp || $(cat "$dir/.git/e2e-stamp") != "$gen_stamp" ]]; then
    if [[ -e $dir ]]; then
      # Only a corpus the generator wrote is removed (deleting many small files is slow on some
      # disks, so it is done, and timed, apart from the generation).
      [[ -f $dir/.git/sddgate-corpus ]] || die "$dir exists and was not written by gen_corpus: move it away"
      log "== removing the stale $dir"
      t0=$EPOCHREALTIME
      rm -rf "$dir"
      t1=$EPOCHREALTIME
      log "   removed in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s", b - a }')"
    fi
    log "== generating $dir ($n incidents, $((5 * n)) files)"
    t0=$EPOCHREALTIME
    summary=$("$gen" "$n" "$dir" --seed "$seed")
    t1=$EPOCHREALTIME
    log "   $summary"
    gen_time[$n]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s", b - a }')
    echo "$gen_stamp" >"$dir/.git/e2e-stamp"
  else
    gen_time[$n]="cached"
  fi
  corpus=$dir
}

# ---------------------------------------------------------------------------------------------
# Measurements (run from inside the corpus)

# median_ms NAME RUNS WARMUP CMD... : median wall time in ms (hyperfine, no shell, exits ignored;
# its "Ignoring non-zero exit code" warning is dropped, anything else it says is shown on failure)
median_ms() {
  local name=$1 r=$2 w=$3 csv err
  shift 3
  csv=$(mktemp)
  err=$(mktemp)
  if ! hyperfine -N -i --style none --warmup "$w" --runs "$r" --export-csv "$csv" \
    --command-name "$name" -- "$(printf '%q ' "$@")" >/dev/null 2>"$err"; then
    cat "$err" >&2
    rm -f "$csv" "$err"
    die "hyperfine failed on: $*"
  fi
  awk -F, 'NR == 2 { printf "%.1f\n", $4 * 1000 }' "$csv"
  rm -f "$csv" "$err"
}

# rss_mib RUNS CMD... : median peak RSS in MiB over RUNS runs ("-" without GNU time)
rss_mib() {
  ((have_time)) || { echo "-"; return; }
  local i f r=$1 samples=()
  shift
  f=$(mktemp)
  for ((i = 0; i < r; i++)); do
    /usr/bin/time -f %M -o "$f" "$@" >/dev/null 2>&1 || true
    samples+=("$(tail -1 "$f")")
  done
  rm -f "$f"
  printf '%s\n' "${samples[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1024 }'
}

# expected_counts DIR -> "auto semi block" from the generator's table
expected_counts() {
  awk -F'\t' 'NR > 1 { c[$2]++ } END { printf "%d %d %d\n", c["auto"], c["semi_manual"], c["block"] }' \
    "$1/.git/sddgate-corpus-expected.tsv"
}

# summary_counts JSON-FILE -> "pass semi block errors" from the report's summary
summary_counts() {
  sed -n '/"summary"/,/}/p' "$1" | awk -F'[:,]' '
    /"pass"/ { p = $2 } /"semi_manual"/ { s = $2 } /"block"/ { b = $2 } /"errors"/ { e = $2 }
    END { printf "%d %d %d %d\n", p, s, b, e }'
}

now=$(date -u +%Y-%m-%dT%H:%MZ)
rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
cpus=$(nproc 2>/dev/null || echo "?")
hf_version=$(hyperfine --version | awk '{ print $2 }')
rg_version=$(rg --version)
rg_version=${rg_version%%$'\n'*}
rows=()
mdl_rows=()
missed=0

for n in "${sizes[@]}"; do
  corpus_for "$n"
  cd "$corpus"
  files=$(find specs -type f | wc -l)

  # 1. the decisions are the planted ones
  report=$bench_dir/report-$n.json
  set +e
  "$bin" check . --format json >"$report" 2>"$bench_dir/report-$n.stderr"
  code=$?
  set -e
  ((code != 2)) || die "sddgate check exited 2 on $corpus (see $bench_dir/report-$n.stderr): nothing to time"
  read -r e_auto e_semi e_block <<<"$(expected_counts "$corpus")"
  read -r g_pass g_semi g_block g_err <<<"$(summary_counts "$report")"
  counts="ok"
  if [[ "$g_pass $g_semi $g_block $g_err" != "$e_auto $e_semi $e_block 0" ]]; then
    counts="DIFFER"
    missed=1
    log "WARNING: corpus-$n: sddgate decided pass/semi/block/errors $g_pass/$g_semi/$g_block/$g_err," \
      "the generator planted $e_auto/$e_semi/$e_block/0 (report: $report)"
  fi
  log "== corpus-$n: $files files; sddgate exit $code, pass/semi/block $g_pass/$g_semi/$g_block (planted $e_auto/$e_semi/$e_block)"

  # 2. page cache
  find . -type f -print0 | xargs -0 cat >/dev/null

  # 3. time
  log "   timing sddgate ($runs runs, $warmup warm-up)"
  t_sdd=$(median_ms "sddgate-check-$n" "$runs" "$warmup" "$bin" check .)
  log "   timing rg"
  t_rg=$(median_ms "rg-$n" "$runs" "$warmup" rg "${rg_args[@]}" .)
  t_rg2=$(median_ms "rg-2docs-$n" "$runs" "$warmup" rg "${rg_args[@]}" -g specify.md -g readiness.md .)

  # 4. peak RSS
  log "   peak RSS ($rss_runs runs each)"
  m_sdd=$(rss_mib "$rss_runs" "$bin" check .)
  m_rg=$(rss_mib "$rss_runs" rg "${rg_args[@]}" .)

  ratio=$(awk -v a="$t_sdd" -v b="$t_rg" 'BEGIN { printf "%.2f", a / b }')
  ratio2=$(awk -v a="$t_sdd" -v b="$t_rg2" 'BEGIN { printf "%.2f", a / b }')
  per_k=$(awk -v t="$t_sdd" -v n="$n" 'BEGIN { printf "%.1f", t * 1000 / n }')
  per_k_rg=$(awk -v t="$t_rg" -v n="$n" 'BEGIN { printf "%.1f", t * 1000 / n }')
  v_time=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.0) ? "met" : "MISSED" }')
  v_rss=$(awk -v m="$m_sdd" 'BEGIN { print (m == "-") ? "n/a" : (m <= 64) ? "met" : "MISSED" }')
  [[ $v_time == met && $v_rss != MISSED ]] || missed=1
  rows+=("$(printf '%6d %8d %11s %9s %7s %12s %7s %9s %8s %9s %8s  %-6s %-6s %-6s %s' \
    "$n" "$files" "$t_sdd" "$t_rg" "$ratio" "$t_rg2" "$ratio2" "$m_sdd" "$m_rg" "$per_k" "$per_k_rg" \
    "$v_time" "$v_rss" "$counts" "${gen_time[$n]}")")

  # markdownlint-cli2, small corpora only
  if ((mdl_wanted && n <= mdl_max)); then
    log "   timing markdownlint-cli2 ($mdl_runs runs, 1 warm-up)"
    t_mdl=$(median_ms "markdownlint-cli2-$n" "$mdl_runs" 1 "$mdl" --config "$mdl_config" '**/*.md')
    m_mdl=$(rss_mib "$mdl_runs" "$mdl" --config "$mdl_config" '**/*.md')
    mdl_rows+=("$(printf '%6d %8d   markdownlint-cli2 %9s ms  (%s x sddgate, %s x rg)   peak RSS %s MiB' \
      "$n" "$files" "$t_mdl" \
      "$(awk -v a="$t_mdl" -v b="$t_sdd" 'BEGIN { printf "%.1f", a / b }')" \
      "$(awk -v a="$t_mdl" -v b="$t_rg" 'BEGIN { printf "%.1f", a / b }')" "$m_mdl")")
  fi
  cd "$root"
done

printf '\nsddgate end-to-end benchmark, %s, %s, %s CPUs; hyperfine %s (-N, median of %d runs after %d warm-up); %s\n' \
  "$now" "$rev" "$cpus" "$hf_version" "$runs" "$warmup" "$rg_version"
printf 'sddgate: `sddgate check .` inside the corpus (exit 1 by design: planted blockers)\n'
printf 'rg:      `%s .` (%d tool words from src/lint/builtin.rs, one per line; every file)\n' \
  "$rg_shown" "$n_patterns"
printf 'rg-2doc: the same with `-g specify.md -g readiness.md` (only the files sddgate reads)\n'
printf 'targets: sddgate/rg <= 1.0, sddgate peak RSS <= 64 MiB; ms/1k = ms per 1,000 incidents (constant = linear)\n\n'
printf '%6s %8s %11s %9s %7s %12s %7s %9s %8s %9s %8s  %-6s %-6s %-6s %s\n' \
  N files "sddgate ms" "rg ms" ratio "rg-2doc ms" ratio2 "RSS MiB" "rg MiB" "ms/1k" "rg/1k" time rss counts generated
printf '%s\n' "${rows[@]}"
if ((${#mdl_rows[@]})); then
  printf '\nsecond peer: %s, `markdownlint-cli2 --config benches/peers/.markdownlint-cli2.jsonc '"'"'**/*.md'"'"'` (every default rule), median of %d runs\n' \
    "${mdl_version:-markdownlint-cli2}" "$mdl_runs"
  printf '%s\n' "${mdl_rows[@]}"
fi

if [[ -n ${BENCH_STRICT:-} ]] && ((missed)); then
  exit 1
fi
