#!/usr/bin/env bash
# test_docs.sh BENCH — every bench command shown in README.md and docs/*.md runs as written, every
# file of this repository they name in backticks exists, the README's list of commands is bench's
# own, and docs/strategies.md's table lists every strategy bench has.
#
# A command is a line of a code block (fenced, or indented by four spaces) that starts with
# `bench`, `./build/bench` or `$HOME/opt/pairbench/bin/bench`, joined with its `\` continuation
# lines; synopsis lines (with [optional] or a|b parts) are left to the usage text. Each runs in a
# scratch copy of the working folder: the shipped configs, the kernels/ scripts they call, a small
# halos.txt, and the config names the docs invent (my.json, my-cluster.json) as copies of
# smoke.json. Sweeps get --dry-run appended (a whole sweep is other tests' work) and go to a
# scratch --out; bench compute and the other subcommands run for real. A command passes when it
# exits 0, or fails only because a file the docs cannot ship is missing (a plugin built by the
# reader); a usage error, or any other failure, fails the test.
set -u
BENCH=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

# The scratch working folder each command starts from (a fresh copy each).
mkdir -p "$T/template/configs" "$T/template/results"
cp "$ROOT"/configs/*.json "$T/template/configs/"
cp "$ROOT/configs/smoke.json" "$T/template/configs/my.json"
cp "$ROOT/configs/smoke.json" "$T/template/configs/my-cluster.json"
ln -s "$ROOT/kernels" "$T/template/kernels"
awk 'BEGIN { srand(7); for (i = 0; i < 2000; i++) printf "%.6f %.6f %.6f\n", 1000*rand(), 1000*rand(), 1000*rand() }' \
    >"$T/template/halos.txt"

# Prints the commands of one Markdown file, one per line, continuations joined.
commands() {
    awk '
        /^[ \t]*```/ { fenced = !fenced; next }
        {
            code = fenced || /^    /
            line = $0
            if (joining) { sub(/^[ \t]+/, " ", line); cmd = cmd line }
            else if (code && line ~ /^[ \t]*(\.\/build\/|\$HOME\/opt\/pairbench\/bin\/)?bench( |$)/) cmd = line
            else next
            joining = sub(/[ \t]*\\$/, "", cmd)
            if (!joining) { print cmd; cmd = "" }
        }' "$1"
}

# Runs one documented command in the scratch folder; prints why it failed, if it did.
check() {
    local doc=$1 cmd=$2 words out rc
    cmd=${cmd%%#*}                                             # a trailing comment
    case $cmd in *"["*|*"|"*|*"..."*) return 0 ;; esac         # a synopsis line
    read -r -a words <<<"$cmd"
    words[0]=$BENCH
    case " ${words[*]} " in
        *" --config "*) words+=(--dry-run --out "$T/out") ;;
    esac
    rm -rf "$T/work" "$T/out" && cp -a "$T/template" "$T/work"
    out=$(cd "$T/work" && "${words[@]}" 2>&1 </dev/null); rc=$?
    case $out in
        *"usage:"*) echo "$doc: usage error from: $cmd"; printf '%s\n' "$out" | head -3; return 1 ;;
    esac
    [ $rc -eq 0 ] && return 0
    case $out in
        *"cannot open shared object file"*) return 0 ;;    # the reader's own plugin
    esac
    echo "$doc: exit $rc from: $cmd"; printf '%s\n' "$out" | tail -3
    return 1
}

n=0
for doc in "$ROOT/README.md" "$ROOT"/docs/*.md; do
    while IFS= read -r cmd; do
        n=$((n + 1))
        check "${doc#"$ROOT"/}" "$cmd" || fail=1
    done < <(commands "$doc")
done
# Every `path` of this repository the docs name exists (patterns and placeholders aside).
for doc in "$ROOT/README.md" "$ROOT"/docs/*.md; do
    for p in $(grep -ohE '`(harness|kernels|tests|configs|docs|plots|fuzz|cmake|\.ci)/[^` ]*`' "$doc" |
               tr -d '`' | sort -u); do
        case $p in *'*'*|*NAME*|*'<'*|*'{'*) continue ;; esac
        p=${p%%:*}
        [ -e "$ROOT/$p" ] || { echo "${doc#"$ROOT"/}: names $p, which does not exist"; fail=1; }
    done
done

# The README's Commands block is bench --help's synopsis, "usage: " and its indent taken off.
readme_synopsis=$(awk '/^## Commands/ { on = 1; next } on && /^```/ { if (++fence == 2) exit; next }
                       on && fence == 1' "$ROOT/README.md")
help_synopsis=$("$BENCH" --help | awk '/^$/ { exit } { sub(/^(usage: |       )/, ""); print }')
if [ "$readme_synopsis" != "$help_synopsis" ]; then
    echo "README.md: the Commands block differs from bench --help:"
    diff <(printf '%s\n' "$readme_synopsis") <(printf '%s\n' "$help_synopsis")
    fail=1
fi

# Every strategy bench --list shows has its row in docs/strategies.md's table ("## The strategies").
strategies=$(awk '/^## The strategies/ { on = 1; next } on && /^## / { exit } on' "$ROOT/docs/strategies.md")
[ -n "$strategies" ] || { echo "docs/strategies.md: no \"## The strategies\" section"; fail=1; }
for s in $("$BENCH" --list | awk '/^[^ ]/ { print $1 }'); do
    case $strategies in *"| \`$s\` |"*) ;; *) echo "docs/strategies.md: strategy $s is missing from the table"; fail=1 ;; esac
done

[ $n -ge 5 ] || { echo "test_docs: found only $n commands; the extraction is broken"; exit 1; }
[ $fail -eq 0 ] || exit 1
echo "test_docs: $n documented commands run as written"
