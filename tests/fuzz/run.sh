#!/usr/bin/env bash
# run.sh BUILD_DIR NAME SECONDS — one fuzz target: first every saved crash
# of tests/fuzz/regressions/NAME (each must now pass), then SECONDS of
# fuzzing from the seeds of tests/fuzz/corpus/NAME. New inputs go to a
# scratch corpus in BUILD_DIR, never into the repository; a crash leaves
# BUILD_DIR/crash-NAME-* to be turned into a regression file.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$1 name=$2 seconds=${3:-10}
bin="$build/fuzz_$name"
[ -x "$bin" ] || { echo "no $bin (build the fuzz project first)"; exit 1; }
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
# ONNX Runtime's process-lifetime singletons (the targets that link it) are not ours.
export LSAN_OPTIONS="suppressions=$here/../lsan.supp:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
common=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=30)

regressions="$here/regressions/$name"
if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  "$bin" "${common[@]}" "$regressions"/*
fi
scratch="$build/corpus-$name"
mkdir -p "$scratch"
"$bin" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$build/crash-$name-" "$scratch" "$here/corpus/$name"
