#!/bin/bash
# slurm-submit.sh — queues a segmented render on Slurm: an array of
# segment tasks, then the join after all of them succeeded.
#
#   slurm-submit.sh TARGET OUTPUT SEGMENTS "headless-run options"
#   e.g. slurm-submit.sh /shared/film.mp4 /shared/film-out.mp4 32 "-s /shared/face.jpg --processors face_swapper"
#
# Submitting again after failures re-runs only the missing pieces. Extra
# sbatch options (partition, account, GPUs) go in SBATCH_EXTRA.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 TARGET OUTPUT SEGMENTS [\"headless-run options\"]" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TARGET=$1 OUTPUT=$2 SEGMENTS=$3 FACEFUSE_OPTIONS=${4:-}
export PIECES=${PIECES:-$OUTPUT.pieces}
mkdir -p "$PIECES"
facefuse=${FACEFUSE:-facefuse}
count=$("$facefuse" segment-plan -t "$TARGET" --segments "$SEGMENTS" | wc -l)
read -r -a extra <<< "${SBATCH_EXTRA:-}"
array=$(sbatch --parsable --export=ALL "${extra[@]}" --array="0-$((count - 1))" "$here/slurm-segments.sbatch")
sbatch --parsable --export=ALL "${extra[@]}" --dependency="afterok:${array%%;*}" "$here/slurm-concat.sbatch"
