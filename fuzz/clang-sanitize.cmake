# Toolchain of the fuzz build: clang with libFuzzer's coverage, ASan and
# UBSan on every object; UB aborts instead of printing and going on. The
# fuzz executables add -fsanitize=fuzzer at link (fuzz/CMakeLists.txt).
# Use it with -DCMAKE_BUILD_TYPE=Fuzz (no extra flags) and
# -DCALLCENTER_BUILD_FUZZERS=ON; scripts/fuzz.sh and fuzz/smoke.sh do.
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CALLCENTER_SANITIZE_FLAGS
    "-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/ubsan-ignorelist.txt -fno-omit-frame-pointer -O1 -gline-tables-only")
set(CMAKE_C_FLAGS_INIT "${CALLCENTER_SANITIZE_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${CALLCENTER_SANITIZE_FLAGS}")
