#!/bin/bash
# Red-line import speed: landdesk-cli redline import beside GDAL's ogrinfo reading the same
# polygons and summing their areas, in the same run. Not a test: run it by hand.
#   tests/bench/bench-redline-import.sh [BUILD_DIR] [PARCELS] [POINTS_PER_PARCEL]
# Prints the median wall and CPU time of 5 runs for each command and the ratios ours / anchor.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
parcels=${2:-200}
points=${3:-500}
cli=$build/src/cli/landdesk-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Parcels as regular polygons with a hole, laid on a grid inside Zhanjiang (EPSG:4525).
python3 - "$work/big.txt" "$parcels" "$points" <<'PY'
import math, sys
path, parcels, points = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = ["[属性描述]", "坐标系=2000国家大地坐标系", "几度分带=3", "带号=37", "[地块坐标]"]
for p in range(parcels):
    cx, cy = 2300000 + (p // 20) * 1000.0, 37400000 + (p % 20) * 1000.0
    rings = [(1, 400.0, points), (2, 100.0, max(4, points // 10))]
    n = sum(k + 1 for _, _, k in rings)
    out.append(f"{n},,DK{p + 1:04d},地块{p + 1},面,,,,@")
    j = 1
    for ring, r, k in rings:
        pts = [(cx + r * math.cos(2 * math.pi * i / k), cy + r * math.sin(2 * math.pi * i / k)) for i in range(k)]
        first = j
        for x, y in pts:
            out.append(f"J{j},{ring},{x:.3f},{y:.3f}"); j += 1
        out.append(f"J{first},{ring},{pts[0][0]:.3f},{pts[0][1]:.3f}")
open(path, "w", encoding="gbk", newline="\r\n").write("\n".join(out) + "\n")
PY
"$cli" redline export --in "$work/big.txt" --format shp --out "$work/big.shp" >/dev/null

# Median of 5 runs of "$@": "WALL_MS CPU_MS" (CPU = user + system: the machine is shared,
# so CPU time is the steadier figure).
median () {
  local walls=() cpus=() t0 t1 cpu
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>&1
    cpu=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/time")
    t1=$(date +%s%N)
    walls+=($(( (t1 - t0) / 1000000 )))
    cpus+=("$cpu")
  done
  echo "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 3p) $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n 3p)"
}

total=$(( parcels * (points + 1 + points / 10 + 1) ))
echo "input: $parcels parcels, $total point lines ($(du -h "$work/big.txt" | cut -f1) TXT), median of 5"
read -r txt_wall txt_cpu <<<"$(median "$cli" redline import "$work/big.txt" --json)"
read -r shp_wall shp_cpu <<<"$(median "$cli" redline import "$work/big.shp" --json)"
read -r anc_wall anc_cpu <<<"$(median ogrinfo -q "$work/big.shp" -sql "SELECT SUM(OGR_GEOM_AREA) FROM big")"
printf '%-52s %8s %8s\n' "" "wall ms" "cpu ms"
printf '%-52s %8s %8s\n' "landdesk-cli redline import big.txt --json" "$txt_wall" "$txt_cpu"
printf '%-52s %8s %8s\n' "landdesk-cli redline import big.shp --json" "$shp_wall" "$shp_cpu"
printf '%-52s %8s %8s\n' "anchor: ogrinfo big.shp -sql SUM(OGR_GEOM_AREA)" "$anc_wall" "$anc_cpu"
awk -v a="$txt_cpu" -v b="$shp_cpu" -v c="$anc_cpu" \
  'BEGIN { printf "cpu ratio: txt/anchor %.2f, shp/anchor %.2f\n", a / c, b / c }'
