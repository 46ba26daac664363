#!/usr/bin/env bash
# The fuzz smoke test (ctest fuzz_smoke, label fuzz): configures and builds
# the fuzz build (clang, ASan, UBSan, libFuzzer) in BUILD_DIR, then runs
# every target on its seed corpus for SECONDS. Fails on any crash, broken
# invariant, leak, timeout, out-of-memory or sanitizer report. New inputs
# go to BUILD_DIR/smoke-corpus, never into fuzz/corpus. Exits 77 (skipped)
# when clang with libFuzzer is not installed.
#
#   fuzz/smoke.sh SOURCE_DIR BUILD_DIR [SECONDS]
set -euo pipefail

src=$(cd "$1" && pwd)
build=$2
seconds=${3:-5}
jobs=${FUZZ_JOBS:-2}

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
  > "$probe/probe.cc"
if ! command -v clang++ >/dev/null 2>&1 ||
   ! clang++ -fsanitize=fuzzer,address,undefined "$probe/probe.cc" \
       -o "$probe/probe" >/dev/null 2>&1; then
  echo "fuzz smoke: clang++ with libFuzzer (libclang-rt-14-dev) not found; skipped"
  exit 77
fi

start=$(date +%s)
cmake -S "$src" -B "$build" \
  -DCMAKE_TOOLCHAIN_FILE="$src/fuzz/clang-sanitize.cmake" \
  -DCMAKE_BUILD_TYPE=Fuzz -DCALLCENTER_BUILD_FUZZERS=ON \
  -DCALLCENTER_BUILD_TESTS=OFF -DCALLCENTER_BUILD_BENCHMARKS=OFF \
  -DCALLCENTER_BUILD_SIMULATOR=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzzers >"$build/smoke-build.log" 2>&1 || {
  tail -50 "$build/smoke-build.log"
  echo "fuzz smoke: the fuzz build failed ($build/smoke-build.log)"
  exit 1
}
built=$(date +%s)
echo "fuzz smoke: fuzz build ready in $((built - start)) s"

targets=$(sed -n '/^set(CALLCENTER_FUZZ_TARGETS/,/^)/p' "$src/fuzz/CMakeLists.txt" |
          sed '1d;$d')
# A list the sed no longer finds would make a smoke run that fuzzes nothing.
if [ -z "${targets//[[:space:]]/}" ]; then
  echo "fuzz smoke: no targets in CALLCENTER_FUZZ_TARGETS of fuzz/CMakeLists.txt" >&2
  exit 1
fi
# The state files target writes (and fsyncs) its scratch directories here:
# on tmpfs when there is one, where an fsync costs nothing.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR="/dev/shm/callcenter-fuzz-smoke-$$"
else
  export TMPDIR="$build/smoke-tmp"
fi
trap 'rm -rf "$probe" "$TMPDIR"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for target in $targets; do
  corpus="$build/smoke-corpus/$target"
  artifacts="$build/smoke-artifacts/$target"
  rm -rf "$corpus" "$artifacts" "$TMPDIR"
  mkdir -p "$corpus" "$artifacts" "$TMPDIR"
  log="$build/smoke-$target.log"
  if [ ! -x "$build/fuzz/${target}_fuzzer" ]; then
    failed+=("$target")
    echo "fuzz smoke: $target FAILED: $build/fuzz/${target}_fuzzer was not built"
    continue
  fi
  status=0
  "$build/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "$src/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] ||
     grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken' "$log"; then
    failed+=("$target")
    echo "fuzz smoke: $target FAILED (exit $status); log $log, input in $artifacts:"
    grep -E 'invariant broken|ERROR:|runtime error:|SUMMARY:|Test unit written' "$log" | head -10
  else
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz smoke: $target ok ($execs runs in ${seconds} s)"
  fi
done
rm -rf "$TMPDIR"
echo "fuzz smoke: $(( $(date +%s) - start )) s in all"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz smoke: failed: ${failed[*]}"
  exit 1
fi
