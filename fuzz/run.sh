#!/bin/bash
# Builds the libFuzzer targets (if needed) and runs each one for a while.
#
#   fuzz/run.sh SECONDS        every target for SECONDS (one after the other)
#   fuzz/run.sh --smoke        CI: every target for 15 s (SIPFLOW_FUZZ_SMOKE_SECONDS)
#   fuzz/run.sh 600 packet_fuzz sdp_fuzz     only these targets
#
# Each target first replays its regression inputs (tests/fuzz_regressions/
# <target>/) and seed corpus (fuzz/corpus/<target>/), then fuzzes with the
# dictionary fuzz/sip.dict, -timeout=1 (an input taking more than 1 s is a
# hang) and -rss_limit_mb=2048. New corpus entries go to a scratch directory
# in the build tree, never into git. Prints one line per target and exits 1
# if any target crashed, leaked, hung, ran out of memory or made a sanitizer
# report; the artifact and the log are named in that line.
#
# Environment: SIPFLOW_FUZZ_BUILD (build dir, default build-fuzz at the top of
# the repo), SIPFLOW_FUZZ_JOBS (targets run at once, default 1),
# CC / CXX (default clang / clang++).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${SIPFLOW_FUZZ_BUILD:-$root/build-fuzz}
jobs=${SIPFLOW_FUZZ_JOBS:-1}

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
case $1 in
  --smoke) seconds=${SIPFLOW_FUZZ_SMOKE_SECONDS:-15} ;;
  -h|--help) usage ;;
  *[!0-9]*|'') usage ;;
  *) seconds=$1 ;;
esac
shift

# Build (configure once; ninja only rebuilds what changed).
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIPFLOW_BUILD_FUZZ=ON -DSIPFLOW_BUILD_TESTS=OFF \
    -DSIPFLOW_SANITIZE=address,undefined >/dev/null
fi
cmake --build "$build" --target fuzzers >/dev/null || {
  echo "fuzz: build failed (cmake --build $build --target fuzzers)" >&2
  exit 1
}

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < "$build/fuzz/fuzzers.txt"; fi
scratch=$build/fuzz-run
mkdir -p "$scratch"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:quarantine_size_mb=64}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Graphviz and the font libraries below it keep allocations for the whole
# process; the same suppressions as the sanitizer build of the test suite.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/.ci/lsan.supp:print_suppressions=0}

# One target: replay, then fuzz. Writes its result line to $scratch/<t>.result.
run_target() {
  local t=$1 bin=$build/fuzz/$1
  local corpus=$scratch/$t/corpus artifacts=$scratch/$t/artifacts log=$scratch/$t/fuzz.log
  rm -rf "$artifacts" && mkdir -p "$corpus" "$artifacts"
  local seeds=() d
  for d in "$root/tests/fuzz_regressions/$t" "$root/fuzz/corpus/$t"; do
    [ -d "$d" ] && seeds+=("$d")
  done
  local status=0 start=$SECONDS
  "$bin" -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 -dict="$root/fuzz/sip.dict" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 -close_fd_mask=1 \
    "$corpus" "${seeds[@]}" > "$log" 2>&1 || status=$?
  local execs cov ft artifact
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
  artifact=$(find "$artifacts" -type f -printf "%f\n" 2>/dev/null | head -1)
  # A timeout on a loaded machine may be the machine: replay the input alone
  # and count it only if it is slow again.
  if [ "$status" -ne 0 ] && [[ "$artifact" == timeout-* ]] &&
     "$bin" -timeout=1 -rss_limit_mb=2048 "$artifacts/$artifact" >> "$log.replay" 2>&1; then
    echo "timeout of $artifact did not reproduce alone; not counted" >> "$log"
    mv "$artifacts/$artifact" "$scratch/$t/unconfirmed-$artifact"
    status=0 artifact=
  fi
  local what
  what=$(grep -m1 -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)[^(]*|runtime error: .*|fuzz invariant violated: .*' "$log" || true)
  if [ $status -eq 0 ] && [ -z "$artifact" ]; then
    printf 'PASS %-18s %4ds execs=%s cov=%s ft=%s corpus=%s\n' "$t" $((SECONDS - start)) \
      "${execs:-?}" "${cov:-?}" "${ft:-?}" "$(find "$corpus" -type f | wc -l)" > "$scratch/$t.result"
  else
    printf 'FAIL %-18s %4ds exit=%s %s artifact=%s log=%s\n' "$t" $((SECONDS - start)) \
      "$status" "${what:-?}" "${artifact:+$artifacts/$artifact}" "$log" > "$scratch/$t.result"
  fi
}

running=0
for t in "${targets[@]}"; do
  [ -x "$build/fuzz/$t" ] || { echo "fuzz: no target $t" >&2; exit 2; }
  rm -f "$scratch/$t.result"
  run_target "$t" &
  running=$((running + 1))
  if [ $running -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=0
for t in "${targets[@]}"; do
  if [ -f "$scratch/$t.result" ]; then
    cat "$scratch/$t.result"
    grep -q '^PASS' "$scratch/$t.result" || failed=1
  else
    echo "FAIL $t (no result)"
    failed=1
  fi
done
exit $failed
