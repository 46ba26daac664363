#!/usr/bin/env bash
# Long fuzz runs. Builds the fuzz build (clang, ASan, UBSan, libFuzzer;
# fuzz/README.md) and runs each target for SECONDS, starting from the seed
# corpus and merging what it finds into a scratch corpus outside the repo.
# Prints figures per target, as bench/ does; not a pass/fail test.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]      default: all, 60
#
# Environment: FUZZ_BUILD_DIR (build/fuzz-build), FUZZ_CORPUS_DIR (scratch
# corpus, build/fuzz-corpus), FUZZ_JOBS (build parallelism, 2). The targets'
# TMPDIR is under /dev/shm when it is writable, else under the scratch
# corpus. The seconds column is the time the target really ran.
# A crashing input is kept in $FUZZ_CORPUS_DIR/artifacts/TARGET/; reproduce
# with: $FUZZ_BUILD_DIR/fuzz/TARGET_fuzzer FILE. Promote a fixed one to
# fuzz/corpus/TARGET/regression-NAME.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-all}
seconds=${2:-60}
build=${FUZZ_BUILD_DIR:-build/fuzz-build}
scratch=${FUZZ_CORPUS_DIR:-build/fuzz-corpus}
jobs=${FUZZ_JOBS:-2}

all=$(sed -n '/^set(CALLCENTER_FUZZ_TARGETS/,/^)/p' fuzz/CMakeLists.txt | sed '1d;$d')
if [ "$which" = all ]; then
  targets=$all
elif printf '%s\n' $all | grep -qx "$which"; then
  targets=$which
else
  echo "usage: scripts/fuzz.sh [all|$(echo $all | tr ' ' '|')] [seconds]" >&2
  exit 2
fi

cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE="$PWD/fuzz/clang-sanitize.cmake" \
  -DCMAKE_BUILD_TYPE=Fuzz -DCALLCENTER_BUILD_FUZZERS=ON \
  -DCALLCENTER_BUILD_TESTS=OFF -DCALLCENTER_BUILD_BENCHMARKS=OFF \
  -DCALLCENTER_BUILD_SIMULATOR=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzzers >"$build/fuzz-build.log" 2>&1 || {
  tail -50 "$build/fuzz-build.log"
  exit 1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$scratch"
tmp_root=$scratch
if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp_root=/dev/shm; fi
target_tmp=
trap 'if [ -n "$target_tmp" ]; then rm -rf "$target_tmp"; fi' EXIT
rows=()
for target in $targets; do
  corpus="$scratch/$target"
  artifacts="$scratch/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  log="$scratch/$target.log"
  # The state files target writes and fsyncs a scratch directory per input:
  # on tmpfs that costs nothing (on disk it held the target to ~10 runs/s).
  target_tmp="$tmp_root/callcenter-fuzz-$target"
  rm -rf "$target_tmp" && mkdir -p "$target_tmp"
  export TMPDIR="$target_tmp"
  before=$(find "$artifacts" -type f | wc -l)
  echo "fuzz: $target for ${seconds} s ..." >&2
  # New inputs land in the scratch corpus (the first directory); the seed
  # corpus is only read.
  started=$(date +%s)
  "$build/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "fuzz/corpus/$target" >"$log" 2>&1 || true
  # Less than SECONDS when the target stopped at a crash.
  elapsed=$(( $(date +%s) - started ))
  rm -rf "$target_tmp"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  # The last status line: "#N DONE cov: C ft: F corp: U/S ...".
  status=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$status")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status")
  corp=$(sed -nE 's/.* corp: ([0-9]+)\/([0-9A-Za-z]+).*/\1 (\2)/p' <<<"$status")
  crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
  rows+=("$(printf '%-16s %8s %12s %9s %16s %7s %8s %8s %8s' "$target" \
    "$elapsed" "${execs:-0}" "${rate:-0}" "${corp:-?}" "${cov:-?}" \
    "${ft:-?}" "${peak:-?}" "$crashes")")
  if [ "$crashes" -gt 0 ]; then
    echo "fuzz: $target found $crashes crashing input(s) in $artifacts:" >&2
    grep -E 'invariant broken|ERROR:|runtime error:|SUMMARY:' "$log" | head -5 >&2
  fi
done

echo
echo "$(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
printf '%-16s %8s %12s %9s %16s %7s %8s %8s %8s\n' target seconds execs exec/s \
  "corpus (size)" cov features rss_mb crashes
printf '%s\n' "${rows[@]}"
