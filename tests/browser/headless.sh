#!/bin/sh
# headless.sh PAGE PNG DOM LOG — loads PAGE (a local HTML file) once in headless Chromium, writing
# a 1280x2000 screenshot to PNG, the DOM after the load event to DOM and the browser's log
# (console messages included) to LOG. Exits 127 when no Chromium is installed (Debian: apt-get
# install chromium), 124 when it ran past 60 s, else Chromium's status. A fresh profile each
# time, no network services, no sandbox (tests may run as root).
set -u
page=$1 png=$2 dom=$3 log=$4
browser=${PB_CHROMIUM:-}
if [ -z "$browser" ]; then
    for b in chromium chromium-browser google-chrome; do
        if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
    done
fi
if [ -z "$browser" ]; then
    echo "headless.sh: no chromium on PATH (apt-get install chromium)" >"$log"
    exit 127
fi
profile=$(mktemp -d "${TMPDIR:-/tmp}/pb-chromium.XXXXXX") || exit 1
case $page in /*) ;; *) page=$(pwd)/$page ;; esac
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --window-size=1280,2000 --screenshot="$png" --dump-dom \
    "file://$page" >"$dom" 2>"$log"
status=$?
rm -rf "$profile"
exit $status
