#!/usr/bin/env bash
# test_build_sh.sh — build.sh's package step with fake dpkg-query and apt-get on PATH: a
# successful install prints one line (apt-get's output stays in a log that is removed), a
# failing one prints apt-get's output and fails. Nothing is installed. Then `run`'s bench
# command, with a fake bench: it keeps every run (--history), never replaces one (--force).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/bin"
printf '#!/bin/sh\nexit 1\n' >"$T/bin/dpkg-query"                       # nothing installed
printf '#!/bin/sh\nfor i in $(seq 200); do echo "Unpacking noise $i"; done\nexit ${FAKE_APT_RC:-0}\n' \
    >"$T/bin/apt-get"
printf '#!/bin/sh\nexec "$@"\n' >"$T/bin/sudo"
chmod +x "$T/bin/"*
sed -n '/^install_missing() {/,/^}/p' "$ROOT/build.sh" >"$T/fn.sh"
fail() { echo "test_build_sh: $*" >&2; exit 1; }

out=$(PATH="$T/bin:$PATH" TMPDIR=$T bash -c ". '$T/fn.sh'; install_missing pkg-a pkg-b" 2>&1) ||
    fail "a successful install failed: $out"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "expected one line, got: $(printf "%s\n" "$out" | head -5) ..."
case $out in *"installing pkg-a pkg-b"*) ;; *) fail "no 'installing' line: $out" ;; esac
ls "$T"/pairbench-apt-*.log >/dev/null 2>&1 && fail "the log of a successful install was kept"

out=$(PATH="$T/bin:$PATH" TMPDIR=$T FAKE_APT_RC=100 bash -c ". '$T/fn.sh'; install_missing pkg-a" 2>&1) &&
    fail "a failing install succeeded"
case $out in *"Unpacking noise 200"*"apt-get failed"*) ;; *) fail "the failure hid apt-get's output: $out" ;; esac

mkdir "$T/run" "$T/run/build"
printf '#!/bin/sh\necho "$@"\n' >"$T/run/build/bench"
chmod +x "$T/run/build/bench"
sed -n '/^cmd_run() {/,/^}/p' "$ROOT/build.sh" >"$T/run.sh"
out=$(cd "$T/run" && bash -c "install_missing() { :; }; build_release() { :; }; . '$T/run.sh'; cmd_run") ||
    fail "cmd_run failed: $out"
case " $out " in *" --history "*) ;; *) fail "build.sh run does not keep earlier results: $out" ;; esac
case " $out " in *" --force "*) fail "build.sh run replaces earlier results: $out" ;; esac
echo "test_build_sh: ok"
