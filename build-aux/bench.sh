#!/bin/bash
# Runs LandDesk's benchmarks (HACKING.md, "Benchmarks"): each prints our figure beside its
# anchor tool's from the same run, and the ratio. With names, runs only those.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/build-aux/deps.sh"
ld_install_deps
ld_build "$root"
export LANDDESK_DATADIR=$root/data

run() {
  echo "=== $1"
  case $1 in
    demo-data) bash "$root/tests/bench/demo-data.sh" "$root/build" ;;
    redline-import) bash "$root/tests/bench/bench-redline-import.sh" "$root/build" ;;
    workbench) meson compile -C "$root/build" bench-workbench ;;
    changes) bash "$root/tests/bench/bench-changes.sh" "$root/build" ;;
    render) meson compile -C "$root/build" bench-render ;;
    app-memory) bash "$root/tests/bench/app-memory.sh" "$root/build" ;;
    analysis) python3 "$root/tests/bench/analysis.py" "$root/build" ;;
    sync) LANDDESK_SERVER=$root/build/src/server/landdesk-server "$root/build/tests/bench/bench-sync" ;;
    offline-area) python3 "$root/tests/bench/offline-area.py" "$root/build" ;;
    *) echo "unknown benchmark '$1'; known: ${all[*]}" >&2; return 2 ;;
  esac
}

all=(demo-data redline-import workbench changes render app-memory analysis sync offline-area)
for name in "${@:-${all[@]}}"; do
  run "$name"
done
