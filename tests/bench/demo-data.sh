#!/bin/bash
# Benchmark (not a test): generation time and peak memory of `landdesk-cli demo-data` at city
# scale, beside GDAL's own ogr2ogr copying the same land-use layer into a new GeoPackage (the
# anchor: what writing that many features costs GDAL alone), and the ratio.
#
#   tests/bench/demo-data.sh [BUILD_DIR] [PATCHES]     (defaults: build, 1000000)
#
# Needs /usr/bin/time (Debian package `time`) for peak RSS; uses ~1.5 GB of disk in a temp dir.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
patches=${2:-1000000}
cli=$build/src/cli/landdesk-cli
export LANDDESK_DATADIR=${LANDDESK_DATADIR:-$root/data}

[ -x "$cli" ] || { echo "no $cli: build first (meson compile -C build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 1; }
command -v ogr2ogr >/dev/null || { echo "needs ogr2ogr: apt-get install gdal-bin" >&2; exit 1; }

work=$(mktemp -d /tmp/landdesk-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

measure() { # measure LOG CMD...: runs CMD, prints "seconds peak_kb"
  local log=$1; shift
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>"$log.err"
  cat "$log"
}

read -r ours_s ours_kb < <(measure "$work/ours" "$cli" demo-data --out "$work/demo" \
                             --patches "$patches" --seed 1)
patches_written=$(ogrinfo -so "$work/demo/landdesk-demo.gpkg" xz_dltb \
                  | sed -n 's/^Feature Count: //p')
read -r gdal_s gdal_kb < <(measure "$work/gdal" ogr2ogr -f GPKG "$work/copy.gpkg" \
                             "$work/demo/landdesk-demo.gpkg" xz_dltb)

printf '%-44s %10s %12s\n' "" "seconds" "peak RSS MB"
printf '%-44s %10.1f %12.0f\n' "landdesk-cli demo-data ($patches_written patches," \
  "$ours_s" "$((ours_kb / 1024))"
printf '%-44s\n' "  all layers, cases, base map zoom 8-14)"
printf '%-44s %10.1f %12.0f\n' "ogr2ogr copy of xz_dltb alone (anchor)" "$gdal_s" \
  "$((gdal_kb / 1024))"
awk -v a="$ours_s" -v b="$gdal_s" -v c="$ours_kb" -v d="$gdal_kb" \
  'BEGIN { printf "ratio (ours / anchor): time %.2f, memory %.2f\n", a / b, c / d }'
