#!/usr/bin/env bash
# test_fuzz_dict.sh BENCH — fuzz/config.dict holds every word of the config schema, as
# `bench --list-keys` prints it: each key's own name (the last part of "output.bins.min",
# without "[]") and each quoted choice ("uniform", "log", ...), as a libFuzzer entry "\"WORD\"".
# A key added to the schema without its dictionary entry fails here, naming the word.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$1
DICT=$ROOT/fuzz/config.dict
keys=$("$BENCH" --list-keys) || { echo "test_fuzz_dict: $BENCH --list-keys failed" >&2; exit 1; }
rows=$(printf '%s\n' "$keys" | grep -E '^[a-z]')
names=$(printf '%s\n' "$rows" | awk '{print $1}' | sed -e 's/.*\.//' -e 's/\[\]//')
# The type column (up to "(default:") holds the choices, quoted.
choices=$(printf '%s\n' "$rows" | sed -e 's/^[^ ]* *//' -e 's/ *(default:.*//' |
          grep -o '"[A-Za-z0-9_-]*"' | tr -d '"')
[ -n "$names" ] && [ -n "$choices" ] || { echo "test_fuzz_dict: no keys read" >&2; exit 1; }
missing=0
for w in $(printf '%s\n%s\n' "$names" "$choices" | sort -u); do
    if ! grep -qxF "\"\\\"$w\\\"\"" "$DICT"; then
        echo "test_fuzz_dict: fuzz/config.dict lacks \"\\\"$w\\\"\" (a config schema word)" >&2
        missing=1
    fi
done
exit $missing
