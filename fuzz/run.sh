#!/usr/bin/env bash
# Builds and runs every fuzz target for SECONDS_PER_TARGET (default 60), one after the other,
# and prints per target: executions, exec/s, coverage, corpus size and any crash.
# Exits 1 if a target found a crash (or failed to build/run), 0 otherwise.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# Environment: FUZZ_TOOLCHAIN (default nightly), CARGO_TARGET_DIR (default fuzz/target),
# FUZZ_TIMEOUT (seconds one input may take before it counts as a hang, default 10),
# FUZZ_RSS_MB (memory limit, default 2048).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
secs="${1:-60}"
shift || true
all=(specify readiness grafana alertmanager pagerduty trace_log)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
tc="+${FUZZ_TOOLCHAIN:-nightly}"
tdir="${CARGO_TARGET_DIR:-$here/target}"
# -s none: the code under test is safe Rust, so AddressSanitizer adds cost and finds nothing
# the panics and debug assertions (on in cargo-fuzz builds) do not.
common=(--sanitizer none --target-dir "$tdir")

dict_for() {
  case "$1" in
    specify) echo dict/markdown.dict ;;
    readiness) echo dict/readiness.dict ;;
    grafana | alertmanager | pagerduty) echo dict/webhook.dict ;;
    trace_log) echo dict/trace.dict ;;
  esac
}

# One build of every target, then the binaries are run directly (`cargo fuzz run` would
# rebuild whenever a source file changed meanwhile).
echo "building ${targets[*]}" >&2
if ! cargo "$tc" fuzz build "${common[@]}" >&2; then
  echo "build failed" >&2
  exit 1
fi
triple="$(rustc "$tc" -vV | sed -n 's/^host: //p')"
bin="$tdir/$triple/release"

status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "work/$t" "artifacts/$t"
  log="work/$t.log"
  echo "== $t: ${secs}s" >&2
  "$bin/$t" "work/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
    -dict="$(dict_for "$t")" -print_final_stats=1 -max_len=65536 >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  corp=$(find "work/$t" -type f | wc -l | tr -d ' ')
  crash=$(grep -o 'Test unit written to [^ ]*' "$log" | sed 's/Test unit written to //' | tr '\n' ' ')
  line="$t: seconds=$secs execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} corpus=$corp"
  if [ "$rc" -ne 0 ] || [ -n "$crash" ]; then
    line="$line CRASH rc=$rc ${crash:-see fuzz/$log}"
    status=1
  fi
  echo "$line"
  summary+=("$line")
done
echo "---" >&2
printf '%s\n' "${summary[@]}" >&2
exit $status
