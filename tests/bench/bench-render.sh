#!/bin/bash
# Runs bench-render on a GeoPackage: $LANDDESK_BENCH_GPKG, else a generated 1000 x 1000 grid
# (1M patches, written once to build/bench-grid-1M.gpkg, about a minute).
# Usage: tests/bench/bench-render.sh LD_BENCH_RENDER_BINARY [GPKG] [bench-render options]
set -euo pipefail
bin="$1"; shift
gpkg="${1:-${LANDDESK_BENCH_GPKG:-}}"
[ $# -gt 0 ] && shift
if [ -z "$gpkg" ]; then
  gpkg="$(dirname "$bin")/../../bench-grid-1M.gpkg"
  exec "$bin" --make-grid 1000 "$@" "$gpkg"
fi
exec "$bin" "$@" "$gpkg"
