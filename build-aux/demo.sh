#!/bin/bash
# The README's demo command: installs what is missing, builds, creates the demo data, starts
# landdesk-server on the embedded store in the background, opens landdesk against it and stops
# the server when the app closes. Arguments go to landdesk, e.g. --screenshot FILE.png
# (without a display, that runs under Xvfb). LANDDESK_PORT picks another port than 8470.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/build-aux/deps.sh"

ld_install_deps
ld_build "$root"

demo=$root/demo
port=${LANDDESK_PORT:-8470}
cli=$root/build/src/cli/landdesk-cli
server=$root/build/src/server/landdesk-server
mkdir -p "$demo"

# Uninstalled binaries read data/ (classes, palettes, matters, calendars) from the tree.
export LANDDESK_DATADIR=$root/data

if [ ! -f "$demo/landdesk-demo.gpkg" ] || [ ! -f "$demo/basemap.mbtiles" ]; then
  echo "Creating the Zhanjiang demo data in $demo (takes a minute)" >&2
  "$cli" demo-data --out "$demo" --force
fi
# The reviewer's local store, loaded with the demo's layers, cases and users.
if [ ! -f "$demo/store.gpkg" ]; then
  "$cli" store create "$demo/store.gpkg" --from-demo "$demo/landdesk-demo.gpkg" >/dev/null
fi

# The server loads the demo's users, cases and layers once; every demo user's password is
# LANDDESK_DEMO_PASSWORD (default landdesk-demo), e.g. log in as zhang.wei or admin. It also
# serves the base map, so field staff can download an offline area (main menu).
"$server" --data "$demo/server" --listen "127.0.0.1:$port" \
  --init-demo "$demo/landdesk-demo.gpkg" --demo-password "${LANDDESK_DEMO_PASSWORD:-landdesk-demo}" \
  --basemap "$demo/basemap.mbtiles" \
  >"$demo/server.out" 2>"$demo/server.log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT

for _ in $(seq 50); do
  grep -q '^listening on' "$demo/server.out" 2>/dev/null && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "landdesk-server did not start:" >&2
    cat "$demo/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "landdesk-server: $(head -n 1 "$demo/server.out"), log in $demo/server.log" >&2

app=(meson devenv -C "$root/build" -w "$root"
     landdesk --basemap "$demo/basemap.mbtiles" --store "$demo/store.gpkg"
     --server "http://127.0.0.1:$port" "$@")
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  case " $* " in
    *" --screenshot "*)
      xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- env GSK_RENDERER=cairo "${app[@]}" ;;
    *)
      echo "No display: run on a desktop, or check headless with: $0 --screenshot FILE.png" >&2
      exit 1 ;;
  esac
else
  "${app[@]}"
fi
