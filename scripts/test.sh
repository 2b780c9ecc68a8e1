#!/usr/bin/env bash
# test.sh — set everything up, build with AddressSanitizer and
# UndefinedBehaviorSanitizer, and run the whole test suite with ctest.
# FACEFUSE_TEST_MODEL_DIR (optional) points at real FaceFusion models for the
# tests that need them; they skip, saying so, when it is not set.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
export FACEFUSE_BUILD_DIR="$root/build-test"
"$root/scripts/build.sh" -DCMAKE_BUILD_TYPE=Debug -DFACEFUSE_SANITIZE=ON
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd "$FACEFUSE_BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" --timeout 600
