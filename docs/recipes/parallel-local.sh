#!/bin/sh
# parallel-local.sh — render one long video with several facefuse processes
# on this machine (GNU parallel), then join the pieces.
#
#   parallel-local.sh TARGET OUTPUT SEGMENTS JOBS [headless-run options...]
#   e.g. parallel-local.sh film.mp4 film-swapped.mp4 8 2 -s face.jpg --processors face_swapper
#
# Each segment is an ordinary headless-run of a keyframe-aligned frame
# range (facefuse segment-run), written as a piece under $PIECES (default
# OUTPUT.pieces/); a piece appears only when complete. Run the same command
# again after a crash or Ctrl-C: finished, verified pieces are skipped.
# Environment: FACEFUSE (the program, default facefuse), PIECES, PIECE_EXT
# (mkv: holds every encoder; the joined OUTPUT can be any container that
# takes the codec).
set -eu
[ $# -ge 4 ] || { echo "usage: $0 TARGET OUTPUT SEGMENTS JOBS [headless-run options...]" >&2; exit 2; }
facefuse=${FACEFUSE:-facefuse}
target=$1 output=$2 segments=$3 jobs=$4
shift 4
pieces=${PIECES:-$output.pieces}
ext=${PIECE_EXT:-mkv}
mkdir -p "$pieces"

# the plan may have fewer segments than asked when keyframes are scarce
count=$("$facefuse" segment-plan -t "$target" --segments "$segments" | wc -l)
seq 0 $((count - 1)) | parallel -q -j "$jobs" --halt now,fail=1 \
    "$facefuse" segment-run --segments "$segments" --segment {} -t "$target" -o "$pieces/piece-{}.$ext" "$@"

set --
k=0
while [ "$k" -lt "$count" ]; do
    set -- "$@" "$pieces/piece-$k.$ext"
    k=$((k + 1))
done
"$facefuse" concat -t "$target" -o "$output" --segments "$segments" "$@"
