#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then runs the unit
# tests in parallel, then the integration tests two at a time (those with a
# fast simulated clock one at a time: tests/integration/CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -LE integration -j"$(nproc)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -L integration -j2
