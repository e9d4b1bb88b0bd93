#!/usr/bin/env bash
# test_layering.sh [--probes BUILD_DIR PROBES [CMAKE]] — the stages keep the layering
# cmake/layers.txt states.
#
# Without arguments: reads the table (which stage owns which folders, which stages each may
# use), checks that it is closed (a stage may use whatever a stage it uses may use) and so has
# no cycle, resolves every #include "..." of every .c and .h under the stages' folders as the
# compiler does (the including file's folder first, then the stages' folders, where a name
# must be unique), prints the include graph stage by stage, and fails on each include of a
# stage the table does not allow, naming the file and the header.
#
# With --probes: builds each probe target PROBES lists (tests/CMakeLists.txt writes it) in
# BUILD_DIR, with CMAKE (the one that configured it; default: cmake on PATH). A "fail TARGET
# HEADER" probe includes a header of a stage its stage may not use, with that stage's include
# path, and must fail to compile because HEADER is not found; an "ok TARGET" probe includes a
# header of every stage its stage may use and must compile (so a failure above is the
# layering's, not a broken probe's).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TABLE=$ROOT/cmake/layers.txt
status=0

# Prints MESSAGE as a failure and marks the test failed.
fail() {
    echo "FAIL: $*"
    status=1
}

# Builds the targets $2... in build folder $1 (keeping going past failures where the build
# tool can), output into $OUT. Returns the build's status.
build() {
    local dir=$1 gen keep=()
    shift
    gen=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$dir/CMakeCache.txt")
    case $gen in
        Ninja*) keep=(-- -k 0) ;;
        *Makefiles*) keep=(-- -k) ;;
    esac
    OUT=$("$CMAKE" --build "$dir" --target "$@" "${keep[@]}" 2>&1)
}

# Builds every probe of the list $2 in build folder $1 and checks each outcome: the "ok" ones
# together, the "fail" ones together, each of those failing on its own header.
run_probes() {
    local dir=$1 list=$2 kind target header missing ok=() bad=() headers=()
    [ -s "$list" ] || { echo "FAIL: no probe list $list"; exit 1; }
    while read -r kind target header; do
        if [ "$kind" = ok ]; then ok+=("$target"); else bad+=("$target"); headers+=("$header"); fi
    done <"$list"
    build "$dir" "${ok[@]}" || fail "the allowed includes do not all compile:"$'\n'"$OUT"
    [ $status -ne 0 ] || echo "ok: ${ok[*]} compile"
    build "$dir" "${bad[@]}" && fail "every probe of a forbidden include compiled"
    for i in "${!bad[@]}"; do
        target=${bad[$i]}
        header=${headers[$i]}
        missing="('$header' file not found|$header: No such file)"   # clang's or gcc's words
        if grep -Eq "$target\.c:[0-9]+:[0-9]+: fatal error: $missing" <<<"$OUT"; then
            echo "ok: $target does not compile: $header is not on its stage's include path"
        else
            fail "$target: not refused for want of $header"
        fi
    done
    [ $status -eq 0 ] || echo "$OUT"
    exit $status
}

if [ "${1:-}" = --probes ]; then
    CMAKE=${4:-cmake}
    run_probes "$2" "$3"
fi

declare -A folders uses
stages=()
while read -r stage dirs rest; do
    case $stage in '' | '#'*) continue ;; esac
    stages+=("$stage")
    folders[$stage]=${dirs//,/ }
    uses[$stage]=" ${rest//-/} "
done <"$TABLE"

# The table: known stages only, closed, no stage using itself (so no cycle).
for s in "${stages[@]}"; do
    for u in ${uses[$s]}; do
        [ -n "${folders[$u]+x}" ] || { fail "layers.txt: $s uses unknown stage $u"; continue; }
        [ "$u" != "$s" ] || fail "layers.txt: $s uses itself"
        for w in ${uses[$u]}; do
            [[ "${uses[$s]}" == *" $w "* ]] ||
                fail "layers.txt: $s uses $u, which uses $w: list $w for $s too"
        done
    done
done

# Sets REPLY to the stage owning path: the one whose folder is the longest prefix of it.
stage_of() {
    local s f len=0
    REPLY=
    for s in "${stages[@]}"; do
        for f in ${folders[$s]}; do
            if [[ "$1" == "$f/"* ]] && [ ${#f} -gt $len ]; then
                REPLY=$s
                len=${#f}
            fi
        done
    done
}

# Every file of the stages' folders by name, as the include path finds it ("?" when more than
# one folder holds the name).
declare -A where
for s in "${stages[@]}"; do
    for f in ${folders[$s]}; do
        for path in "$ROOT/$f"/*; do
            name=${path##*/}
            if [ -n "${where[$name]:-}" ]; then where[$name]="?"; else where[$name]=$f/$name; fi
        done
    done
done

# Sets REPLY to the file an #include "$2" in file $1 reaches, relative to ROOT: the including
# file's folder first, then the include path; "" when none, "?" when ambiguous.
resolve() {
    local dir=${1%/*}
    if [ -f "$ROOT/$dir/$2" ]; then
        REPLY=$dir/$2
    else
        REPLY=${where[$2]:-}
    fi
}

declare -A edges
INCLUDE='s/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p'   # the quoted name
files=$(for s in "${stages[@]}"; do for f in ${folders[$s]}; do
            (cd "$ROOT" && find "$f" -name '*.[ch]'); done; done | sort -u)
for file in $files; do
    stage_of "$file"
    from=$REPLY
    while IFS= read -r name; do
        resolve "$file" "$name"
        if [ -z "$REPLY" ]; then
            fail "$file: #include \"$name\" is in no stage's folder"
            continue
        elif [ "$REPLY" = "?" ]; then
            fail "$file: #include \"$name\": more than one stage folder holds $name"
            continue
        fi
        stage_of "$REPLY"
        to=$REPLY
        [ "$to" != "$from" ] || continue
        edges[$from $to]=$(( ${edges[$from $to]:-0} + 1 ))
        [[ "${uses[$from]}" == *" $to "* ]] ||
            fail "$file: #include \"$name\": $from may not use $to (cmake/layers.txt)"
    done < <(sed -n "$INCLUDE" "$ROOT/$file")
done

echo "include graph (stage -> stages it includes, with the number of includes):"
for s in "${stages[@]}"; do
    line=
    for t in "${stages[@]}"; do
        [ -z "${edges[$s $t]:-}" ] || line+=" $t(${edges[$s $t]})"
    done
    echo "  $s ->${line:- (nothing)}"
done
exit $status
