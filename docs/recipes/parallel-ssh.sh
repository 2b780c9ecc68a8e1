#!/bin/sh
# parallel-ssh.sh — the same as parallel-local.sh, with the segments spread
# over several machines by GNU parallel through ssh.
#
#   HOSTS=4/node1,4/node2,: parallel-ssh.sh TARGET OUTPUT SEGMENTS [headless-run options...]
#
# HOSTS is GNU parallel's --sshlogin list ("N/host" runs N jobs on host,
# ":" is this machine); give each host about (its cores / 4) jobs, as one
# facefuse process already uses every core it is given.
# Needs: passwordless ssh to every host; the same facefuse version at the
# same path on every host (FACEFUSE); TARGET, the pieces directory and
# OUTPUT on storage every host mounts at the same path (NFS, CephFS...);
# the models present in a shared FACEFUSE_MODEL_DIR (run `facefuse
# force-download` once), which is passed to the workers.
set -eu
[ $# -ge 3 ] || { echo "usage: HOSTS=... $0 TARGET OUTPUT SEGMENTS [headless-run options...]" >&2; exit 2; }
: "${HOSTS:?set HOSTS to a GNU parallel --sshlogin list, e.g. 2/node1,2/node2}"
facefuse=${FACEFUSE:-facefuse}
target=$1 output=$2 segments=$3
shift 3
pieces=${PIECES:-$output.pieces}
ext=${PIECE_EXT:-mkv}
mkdir -p "$pieces"

count=$("$facefuse" segment-plan -t "$target" --segments "$segments" | wc -l)
# a worker that disappears (host down) is retried elsewhere; segment-run
# skips a piece another attempt already finished
env_opt=""
if [ -n "${FACEFUSE_MODEL_DIR:-}" ]; then
    export FACEFUSE_MODEL_DIR
    env_opt=FACEFUSE_MODEL_DIR
fi
seq 0 $((count - 1)) | parallel -q -S "$HOSTS" ${env_opt:+--env "$env_opt"} --retries 2 --halt now,fail=1 --workdir "$(pwd)" \
    "$facefuse" segment-run --segments "$segments" --segment {} -t "$target" -o "$pieces/piece-{}.$ext" "$@"

set --
k=0
while [ "$k" -lt "$count" ]; do
    set -- "$@" "$pieces/piece-$k.$ext"
    k=$((k + 1))
done
"$facefuse" concat -t "$target" -o "$output" --segments "$segments" "$@"
