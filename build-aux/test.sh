#!/bin/bash
# The README's test command: installs what is missing, builds, runs every test (the GTK ones
# in a real window under Xvfb) and ends with one line "N passed, N failed, N skipped".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/build-aux/deps.sh"

ld_install_deps
ld_build "$root"

set +e
xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- \
  meson test -C "$root/build" --print-errorlogs --num-processes 2 "$@"
status=$?
set -e

python3 "$root/build-aux/test-summary.py" "$root/build/meson-logs/testlog.json"
summary=$?
[ $status -eq 0 ] && [ $summary -eq 0 ]
