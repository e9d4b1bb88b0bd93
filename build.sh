#!/usr/bin/env bash
# build.sh — the README's two Quick start commands.
#
#   ./build.sh run [CONFIG]   install what is missing, build, run CONFIG
#                             (default configs/scaling.json) into a run folder of its own,
#                             results/NAME/<UTC time>/ (results/NAME/latest: the newest)
#   ./build.sh test           install what is missing, build, run every test: the ctest suite,
#                             then the hardening jobs (sanitizers, fuzzers, valgrind, the
#                             portable build at every kernel level; see .ci/)
#
# Packages come from Debian 12's archive; apt-get runs only when something is missing.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the build and the benchmark need; the tests need a few more.
RUN_PACKAGES=(build-essential cmake pkg-config git libjansson-dev libcmocka-dev gnuplot-nox
              libopenmpi-dev openmpi-bin python3 python3-numpy python3-scipy python3-numba)
TEST_PACKAGES=(clang libclang-rt-14-dev libomp-14-dev valgrind chromium
               python3-sklearn cython3 python3-dev)   # the sklearn and Cython baselines' tests

# Installs those of the given packages dpkg does not report as installed (as root, or via sudo).
# apt-get's output goes to a log file, printed only when it fails; one line says what is
# installed and where the log is.
install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local log
    log=$(mktemp "${TMPDIR:-/tmp}/pairbench-apt-XXXXXX.log")
    echo "build.sh: installing ${missing[*]} (apt-get log: $log)"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    if ! { "${sudo[@]}" apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
               --no-install-recommends "${missing[@]}"; } </dev/null >"$log" 2>&1; then
        cat "$log" >&2
        echo "build.sh: apt-get failed (log above, kept in $log)" >&2
        return 1
    fi
    rm -f "$log"
}

# Configures and builds the Release tree in build/.
build_release() {
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j"$(nproc)"
}

cmd_run() {
    install_missing "${RUN_PACKAGES[@]}"
    build_release
    ./build/bench --config "${1:-configs/scaling.json}" --out results --history
}

cmd_test() {
    install_missing "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build_release
    (cd build && ctest --output-on-failure -j1)
    bash .ci/hardening
}

case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    test) cmd_test ;;
    *) echo "usage: ./build.sh run [CONFIG] | ./build.sh test" >&2; exit 2 ;;
esac
