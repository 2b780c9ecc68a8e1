#!/usr/bin/env bash
# run.sh — set everything up (idempotent), build, and run facefuse with the
# given arguments, e.g.: scripts/run.sh headless-run -s me.jpg -t photo.jpg -o out.jpg
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
FACEFUSE_BUILD_DIR="$root/build" "$root/scripts/build.sh" -DCMAKE_BUILD_TYPE=Release >/dev/null
exec "$root/build/facefuse" "$@"
