#!/usr/bin/env bash
# test_small_stack.sh BENCH — bench runs under a 64 KiB stack (ulimit -s 64): the smoke sweep
# completes with every row ok, and --resume after a cut last line completes too. The harness
# keeps no large buffer on the stack (buffers of 64 KiB there crashed both with SIGSEGV and no
# message). Runs with a small, fixed environment so that its size does not move the limit.
set -u
BENCH=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# Runs bench with ARGS under the small stack, output into $T/log. Returns bench's status.
small() {
    (ulimit -s 64 && exec env -i PATH="$PATH" HOME="$T" TMPDIR="$T" "$BENCH" "$@") >"$T/log" 2>&1
}

# Fails with MESSAGE and bench's output.
fail() {
    echo "FAIL: $1"
    cat "$T/log"
    exit 1
}

# Every run row of CSV reads "ok" and verified "yes": the sweep really ran, it did not only exit.
all_ok() {
    /usr/bin/python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
bad = [r for r in rows if r["status"] != "ok"]
sys.exit(1 if not rows or bad else 0)
PY
}

small --config "$ROOT/configs/smoke.json" --out "$T/r" --quiet --no-render ||
    fail "the smoke sweep under ulimit -s 64 exited $?"
all_ok "$T/r/smoke.csv" || fail "the smoke sweep under ulimit -s 64 has rows not ok"
rows=$(wc -l <"$T/r/smoke.csv")
truncate -s -7 "$T/r/smoke.csv"            # an interrupted write: the last line cut
small --config "$ROOT/configs/smoke.json" --out "$T/r" --resume --quiet --no-render ||
    fail "--resume under ulimit -s 64 exited $?"
all_ok "$T/r/smoke.csv" || fail "--resume under ulimit -s 64 left rows not ok"
[ "$(wc -l <"$T/r/smoke.csv")" = "$rows" ] || fail "--resume did not restore $rows lines"
echo "ok: smoke sweep and --resume under a 64 KiB stack"
