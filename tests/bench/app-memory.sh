#!/bin/bash
# Peak memory of the whole app with the 1M-patch layer open and rendered (issue 5: <= 200 MB).
#
# Usage: tests/bench/app-memory.sh [BUILD_DIR] [DEMO_DIR] [LAT,LON,ZOOM]
#
# DEMO_DIR holds landdesk-demo.gpkg and basemap.mbtiles of 1 000 000 patches (default
# BUILD_DIR/bench-cache, written there by `landdesk-cli demo-data` when missing, as
# tests/bench/analysis.py does). A store is made from it once (DEMO_DIR/store-1M.gpkg). The
# real app (in Chinese, its default 1280x800 window, GSK_RENDERER=cairo) then opens the store
# at the view (default: the city centre at zoom 14, where tiles are drawn from the patches)
# and saves a screenshot once every tile has arrived, under /usr/bin/time: first with an
# empty cache (it builds the layers' overviews), then with the overviews cached, as every later
# start does. Each twice: with the cairo renderer (the app then turns GTK's OpenGL probe off,
# which under Xvfb would load Mesa's llvmpipe and LLVM, about 50 MB, for nothing) and with
# GSK_RENDERER=gl (llvmpipe). There is no anchor to run here: the issue's figure for QGIS 3.22
# on an equivalent layer is 218 MB.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
demo=${2:-$build/bench-cache}
view=${3:-21.2,110.36,14}
cli=$build/src/cli/landdesk-cli
app=$build/src/app/landdesk
export LANDDESK_DATADIR=$root/data LANDDESK_LOCALEDIR=$build/po
export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$build/data GSK_RENDERER=${GSK_RENDERER:-cairo}
export GTK_A11Y=none NO_AT_BRIDGE=1 LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 LANGUAGE=zh_CN

command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (package time)" >&2; exit 2; }
if [ ! -f "$demo/landdesk-demo.gpkg" ]; then
  echo "writing the 1M-patch demo to $demo (several minutes) ..."
  "$cli" demo-data --out "$demo" --patches 1000000
fi
store=$demo/store-1M.gpkg
if [ ! -f "$store" ]; then
  echo "making a store of it: $store ..."
  "$cli" store create "$store" --from-demo "$demo/landdesk-demo.gpkg"
fi
patches=$(sqlite3 "$store" "SELECT count(*) FROM xz_dltb" 2>/dev/null || echo "?")

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_CACHE_HOME=$home/cache XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data

run() {
  local out=$home/$1.png
  env $3 xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- \
    /usr/bin/time -f "%M %e" -o "$home/$1.time" \
    "$app" --store "$store" --basemap "$demo/basemap.mbtiles" --view "$view" \
    --screenshot "$out" >"$home/$1.log" 2>&1 || { cat "$home/$1.log" >&2; exit 1; }
  [ -s "$out" ] || { echo "no screenshot" >&2; exit 1; }
  read -r kb secs <"$home/$1.time"
  printf "  %-40s peak %4d MB   %5.1f s\n" "$2" $((kb / 1024)) "$secs"
}

echo "app with the store's layers ($patches patches in xz_dltb) at $view, 1920x1080 screen:"
run cold "first start (builds the overviews)" ""
run warm "next start (overviews cached)" ""
rm -rf "$XDG_CACHE_HOME"
run cold-gl "first start, GSK_RENDERER=gl" GSK_RENDERER=gl
run warm-gl "next start, GSK_RENDERER=gl" GSK_RENDERER=gl
echo "  target <= 200 MB; QGIS 3.22 per the issue (not run here): 218 MB"
