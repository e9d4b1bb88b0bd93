#!/bin/sh
# plots/paper.sh — the README's copies of the study's three figures from one run of
# configs/paper.json: splits DIR/paper.csv by series into paper_distances (the algorithms) and
# paper_chunking (the parallel methods), draws each with `bench plot`, and copies
# paper_distances_time.png, paper_chunking_time.png and paper_chunking_memory.png here.
# Usage: plots/paper.sh [DIR] [BENCH]   (defaults: results, build/bench)
set -eu
dir=${1:-results}
bench=${2:-build/bench}
here=$(dirname "$0")
csv="$dir/paper.csv"
[ -r "$csv" ] || { echo "plots/paper.sh: no $csv (run: bench --config paper.json --out $dir)" >&2; exit 2; }
split() {   # split NAME REGEX: the header and the rows whose series matches REGEX, less the
            # runs never started (skipped: no time to draw; paper.csv keeps them with the reason)
    head -n 1 "$csv" > "$dir/$1.csv"
    grep -E "^($2)," "$csv" | grep -v ',"*skipped: ' >> "$dir/$1.csv" || true
    rm -f "$dir/$1_summary.csv"
    "$bench" plot "$dir/$1.csv" > /dev/null 2>&1 || true   # speedup needs 2 thread counts
}
split paper_distances 'naive|blocked|openmp|pthread-map|pthread-async|chunked-fork shm|scipy-cdist|python-loop|numba|numba-parallel'
split paper_chunking 'pool-map rows|pool-map chunks|pool-async rows|pool-async chunks|process-queue rows|process-queue chunks|chunked-fork shm|chunked-fork pipe|pthread-map|pthread-async'
cp "$dir/paper_distances_time.png" "$here/paper_distances_time.png"
cp "$dir/paper_chunking_time.png" "$here/paper_chunking_time.png"
cp "$dir/paper_chunking_memory.png" "$here/paper_chunking_memory.png"
echo "plots/paper.sh: $here/paper_{distances_time,chunking_time,chunking_memory}.png from $csv"
