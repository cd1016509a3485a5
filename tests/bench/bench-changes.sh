#!/bin/bash
# bench-changes.sh: /api/v1/changes under 64 connections with wrk, beside nginx serving the
# same response bytes from a file, in the same run; prints both figures and the ratio.
#
#   tests/bench/bench-changes.sh [BUILD_DIR]
#   (env: LIMIT=1000 DURATION=10 CONNECTIONS=64 THREADS=2 for wrk, WORKERS=N for the server)
#
# Installs wrk and nginx with apt-get when missing (they are bench-only, not in deps.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
limit=${LIMIT:-1000}   # the feed's default page, what a syncing client pulls
duration=${DURATION:-10}
conns=${CONNECTIONS:-64}
threads=${THREADS:-2}
workers=${WORKERS:-}

. "$root/build-aux/deps.sh"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  ld_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
server_pid=
nginx_pid=
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A server with 20 000 changes, its URL, a token and one saved response.
mkfifo "$work/hold"
LANDDESK_SERVER="$build/src/server/landdesk-server" LANDDESK_DATADIR="$root/data" \
  "$build/tests/bench/bench-server" --ops 10000 --changes 20000 --wrk-out "$work/server" \
  ${workers:+--workers "$workers"} \
  < "$work/hold" > "$work/bench.log" 2>&1 &
server_pid=$!
exec 3>"$work/hold"
for _ in $(seq 300); do [ -s "$work/server" ] && break; sleep 0.1; done
[ -s "$work/server" ] || { cat "$work/bench.log"; echo "bench-server did not start" >&2; exit 1; }
. "$work/server"
path="/api/v1/changes?since=0&limit=$limit"
curl -sf -H "Authorization: Bearer $TOKEN" "${URL%/}$path" > "$work/changes.json"
bytes=$(stat -c %s "$work/changes.json")

# nginx on another loopback port, one worker (landdesk-server answers on one thread too),
# logging every request as landdesk-server does.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/www/api/v1"
chmod a+rx "$work" "$work/www" "$work/www/api" "$work/www/api/v1"
cp "$work/changes.json" "$work/www/api/v1/changes"
chmod a+r "$work/www/api/v1/changes"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $work/access.log;   # both servers log every request
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    location /api/v1/changes { default_type application/json; try_files /api/v1/changes =404; }
  }
}
CONF
mkdir -p "$work/tmp"
"$nginx_bin" -c "$work/nginx.conf" -e "$work/nginx-error.log" &
nginx_pid=$!
sleep 0.5
curl -sf "http://127.0.0.1:$port$path" > "$work/nginx.json" || { cat "$work/nginx-error.log"; exit 1; }
cmp -s "$work/changes.json" "$work/nginx.json" \
  || { echo "nginx does not serve the same bytes" >&2; exit 1; }

run_wrk() {
  wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "$@" 2>&1
}
ours=$(run_wrk -H "Authorization: Bearer $TOKEN" "${URL%/}$path")
theirs=$(run_wrk "http://127.0.0.1:$port$path")

rps() { awk '/^Requests\/sec:/ {print $2}' <<<"$1"; }
p99() { awk '$1 == "99%" {print $2}' <<<"$1"; }
errors() { awk '/Non-2xx|Socket errors/ {print}' <<<"$1"; }

cat "$work/bench.log" | sed -n '1,3p'
echo
echo "GET $path: $bytes bytes a response, $conns connections, $threads wrk threads, ${duration} s"
printf '%-16s %12s %10s\n' "" "requests/s" "p99"
printf '%-16s %12s %10s\n' "landdesk-server" "$(rps "$ours")" "$(p99 "$ours")"
printf '%-16s %12s %10s\n' "nginx (file)" "$(rps "$theirs")" "$(p99 "$theirs")"
python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'ratio landdesk/nginx: {a/b:.2f} (target >= 0.5)')" \
  "$(rps "$ours")" "$(rps "$theirs")"
errors "$ours"
