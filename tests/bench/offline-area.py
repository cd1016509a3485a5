#!/usr/bin/env python3
# Benchmark (not a test): download a typical field area, beside GDAL's OAPIF client and curl.
#
#   tests/bench/offline-area.py [BUILD_DIR] [PATCHES] [RUNS]     (defaults: build, 1000000, 5)
#
# The demo (base map zooms 8-14) is generated once into BUILD_DIR/bench-cache/offline-PATCHES
# (DEMO_DIR=DIR uses an existing one, e.g. /tmp/big), loaded into a server data directory
# beside it once, and served by landdesk-server --basemap on a free loopback port. In the same
# run, on the same 2 km x 2 km area near Zhanjiang's centre and zooms 8-14, it times (median
# wall time of RUNS, after one warm-up):
#   - ours: `landdesk-cli offline-area --bbox ...` into a new store (login, estimate, the five
#     layers clipped exactly in EPSG:4525 and written with their cursors, every base-map tile
#     into the MBTiles file, the job recorded);
#   - the anchor: `ogr2ogr -f GPKG OUT OAPIF:URL/ogc LAYERS -spat ... -clipsrc spat_extent
#     -t_srs EPSG:4525` (GDAL's OGC API - Features client, paging 1000, clipping in lon/lat)
#     plus one `curl` fetching the same tiles over one keep-alive connection;
# and prints ours, the anchor's and the ratio, the features and tiles each got, and the load.
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(root, 'build')
patches = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
cli = os.path.join(build, 'src', 'cli', 'landdesk-cli')
server_bin = os.path.join(build, 'src', 'server', 'landdesk-server')
env = dict(os.environ, LANDDESK_DATADIR=os.environ.get('LANDDESK_DATADIR',
                                                         os.path.join(root, 'data')))
PASSWORD = 'bench-offline-1'
LAYERS = ['xz_dltb', 'gh_ydyh', 'sx_yjjbnt', 'sx_stbhhx', 'sx_czkfbj']
# 2 km x 2 km around the domain check point (21.27 N, 110.36 E): 0.0193 deg of longitude
# and 0.0181 deg of latitude there.
BBOX = (110.3503, 21.2610, 110.3697, 21.2790)
MIN_ZOOM, MAX_ZOOM = 8, 14

for prog in (cli, server_bin):
    if not os.access(prog, os.X_OK):
        sys.exit(f'no {prog}: build first (meson compile -C {build})')
for tool in ('ogr2ogr', 'curl'):
    if shutil.which(tool) is None:
        sys.exit(f'needs {tool}: apt-get install gdal-bin curl')

cache = os.environ.get('DEMO_DIR') or os.path.join(build, 'bench-cache', f'offline-{patches}')
gpkg = os.path.join(cache, 'landdesk-demo.gpkg')
mbtiles = os.path.join(cache, 'basemap.mbtiles')
if not os.path.exists(gpkg) or not os.path.exists(mbtiles):
    print(f'generating the {patches}-patch demo into {cache} (once)...', flush=True)
    subprocess.run([cli, 'demo-data', '--out', cache, '--patches', str(patches), '--force'],
                   env=env, check=True, stdout=subprocess.DEVNULL)
data_dir = os.path.join(build, 'bench-cache', f'offline-server-{patches}')

server = subprocess.Popen([server_bin, '--data', data_dir, '--listen', '127.0.0.1:0',
                           '--init-demo', gpkg, '--demo-password', PASSWORD,
                           '--basemap', mbtiles], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
work = tempfile.mkdtemp(prefix='landdesk-bench-offline-')
try:
    line = server.stdout.readline()
    if not line.startswith('listening on '):
        sys.exit(f'the server did not start: {line!r}')
    url = line.split()[-1].rstrip('/')
    pw = os.path.join(work, 'password')
    with open(pw, 'w') as f:
        f.write(PASSWORD + '\n')
    req = urllib.request.Request(url + '/api/v1/login', method='POST',
                                 data=json.dumps({'login': 'admin',
                                                  'password': PASSWORD}).encode(),
                                 headers={'Content-Type': 'application/json'})
    token = json.load(urllib.request.urlopen(req))['token']
    bbox = ','.join(f'{v:.4f}' for v in BBOX)

    def timed(cmd, before=None):
        """Median wall time in ms of `runs` runs after one warm-up, and the last run."""
        times = []
        for i in range(runs + 1):
            if before:
                before()
            t0 = time.perf_counter()
            res = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if res.returncode != 0:
                sys.exit(f'{cmd[0]} failed: {res.stderr.strip()[-500:]}')
            if i > 0:
                times.append((time.perf_counter() - t0) * 1e3)
        return statistics.median(times)

    store = os.path.join(work, 'store.gpkg')
    tiles_file = os.path.join(work, 'store-offline.mbtiles')

    def fresh_store():
        for p in (store, tiles_file, store + '-wal', store + '-shm'):
            if os.path.exists(p):
                os.remove(p)

    ours = timed([cli, 'offline-area', '--store', store, '--server', url, '--user', 'admin',
                  '--password-file', pw, '--bbox', bbox, '--min-zoom', str(MIN_ZOOM),
                  '--max-zoom', str(MAX_ZOOM), '--json'], before=fresh_store)
    count = subprocess.run(['sqlite3', store, 'SELECT sum(fetched), sum(kept) FROM'
                            ' offline_area_layers'], capture_output=True, text=True).stdout
    fetched, kept = (int(v) for v in count.strip().split('|'))
    n_tiles = int(subprocess.run(['sqlite3', tiles_file, 'SELECT count(*) FROM tiles'],
                                 capture_output=True, text=True).stdout)

    # The anchor: GDAL's OAPIF client for the layers, curl for the same tiles.

    def tile_range(z):
        def world(lon, lat):
            n = 2 ** z
            x = (lon + 180) / 360 * n
            y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat)))
                 / math.pi) / 2 * n
            return int(x), int(y)
        x0, y0 = world(BBOX[0], BBOX[3])
        x1, y1 = world(BBOX[2], BBOX[1])
        return x0, y0, x1, y1

    curl_args = ['curl', '-sf', '-H', f'Authorization: Bearer {token}']
    n_urls = 0
    for z in range(MIN_ZOOM, MAX_ZOOM + 1):
        x0, y0, x1, y1 = tile_range(z)
        for y in range(y0, y1 + 1):
            for x in range(x0, x1 + 1):
                curl_args += [f'{url}/api/v1/tiles/{z}/{x}/{y}', '-o',
                              os.path.join(work, f'tile-{z}-{x}-{y}.png')]
                n_urls += 1
    out = os.path.join(work, 'anchor.gpkg')

    def fresh_anchor():
        if os.path.exists(out):
            os.remove(out)

    gdal_env = ['--config', 'GDAL_HTTP_HEADERS', f'Authorization: Bearer {token}']
    ogr = timed(['ogr2ogr', '-f', 'GPKG', out, f'OAPIF:{url}/ogc', *LAYERS,
                 '-oo', 'PAGE_SIZE=1000', '-spat', *(str(v) for v in BBOX),
                 '-spat_srs', 'EPSG:4326', '-clipsrc', 'spat_extent', '-t_srs', 'EPSG:4525',
                 *gdal_env], before=fresh_anchor)
    anchor_features = sum(
        int(subprocess.run(['sqlite3', out, f'SELECT count(*) FROM "{layer}"'],
                           capture_output=True, text=True).stdout or 0)
        for layer in LAYERS if subprocess.run(['sqlite3', out, f'SELECT 1 FROM "{layer}"'],
                                              capture_output=True).returncode == 0)
    curl = timed(curl_args)
    anchor = ogr + curl
    load = open('/proc/loadavg').read().split()[:3] if os.path.exists('/proc/loadavg') else []

    print(f'area: 2 km x 2 km at {bbox}, zooms {MIN_ZOOM}-{MAX_ZOOM}, {patches} patches')
    print(f'ours   offline-area            {ours:8.1f} ms  ({fetched} features fetched,'
          f' {kept} kept after clipping, {n_tiles} tiles)')
    print(f'anchor ogr2ogr OAPIF -clipsrc  {ogr:8.1f} ms  ({anchor_features} features)')
    print(f'anchor curl, same tiles        {curl:8.1f} ms  ({n_urls} requests)')
    print(f'anchor total                   {anchor:8.1f} ms')
    print(f'ratio ours / anchor            {ours / anchor:8.2f}  (below 1: ours is faster)')
    print(f'load average: {" ".join(load)}; median of {runs} runs')
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(work, ignore_errors=True)
