#!/usr/bin/env bash
# build.sh — configure and build facefuse into build/ (after setup.sh).
# Extra arguments go to CMake's configure step (e.g. -DFACEFUSE_SANITIZE=ON).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${FACEFUSE_BUILD_DIR:-$root/build}"
ort_args=$(cat "$root/build/onnxruntime.cmake-args" 2>/dev/null || true)
cmake -S "$root" -B "$build" $ort_args "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
