#!/usr/bin/env python3
# Benchmark (not a test): the overlay analysis on the 1M-patch demo, beside GDAL and SpatiaLite.
#
#   tests/bench/analysis.py [BUILD_DIR] [PATCHES] [RUNS]     (defaults: build, 1000000, 200)
#
# The demo is generated once into BUILD_DIR/bench-cache/demo-PATCHES (a few minutes at 1M
# patches; DEMO=FILE.gpkg uses an existing one instead) and reused, and so is a store made
# from it with `landdesk-cli store create --from-demo` (about a minute). In the same run it
# measures:
#   - ld_analysis_run() in-process on a 5 ha and a 200 ha square (bench-analysis, median);
#   - the whole `landdesk-cli analyze --redline F --json` process, warm (median wall time);
#   - the whole `landdesk-cli analyze --store STORE --case ID --json` process (reads the red
#     line from the store, analyses, stores the result), warm, median of CASE_RUNS runs
#     (default 60), beside `landdesk-cli --version` (the process start alone) and the anchors
#     on the same case's red line (limit 10 ms);
#   - the anchors, as processes on the same red lines: ogrinfo with the SQLite dialect
#     (R-tree subquery + ST_Intersection, SpatiaLite inside GDAL), ogr2ogr -spat -clipsrc, and
#     the spatialite CLI when installed (also in-process: the same query repeated in one session);
#   - for each process the median wall time and the median CPU time (user + sys: a machine busy
#     with other work inflates it less);
# and checks the class areas against SpatiaLite's ST_Intersection areas (1e-6 relative).
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(root, 'build')
patches = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 200
cli = os.path.join(build, 'src', 'cli', 'landdesk-cli')
bench = os.path.join(build, 'tests', 'bench-analysis')
env = dict(os.environ, LANDDESK_DATADIR=os.environ.get('LANDDESK_DATADIR',
                                                         os.path.join(root, 'data')))
PROCESS_RUNS = 15
CASE_RUNS = int(os.environ.get('CASE_RUNS', '60'))

for prog in (cli, bench):
    if not os.access(prog, os.X_OK):
        sys.exit(f'no {prog}: build first (meson compile -C {build})')
for tool in ('ogrinfo', 'ogr2ogr'):
    if shutil.which(tool) is None:
        sys.exit(f'needs {tool}: apt-get install gdal-bin')

cache = os.path.join(build, 'bench-cache', f'demo-{patches}')
gpkg = os.environ.get('DEMO') or os.path.join(cache, 'landdesk-demo.gpkg')
if not os.path.exists(gpkg):
    print(f'generating the {patches}-patch demo into {cache} (once)...', flush=True)
    subprocess.run([cli, 'demo-data', '--out', cache, '--patches', str(patches),
                    '--max-zoom', '8', '--force'], env=env, check=True,
                   stdout=subprocess.DEVNULL)

store = os.path.join(build, 'bench-cache', f'store-{patches}.gpkg')
if not os.path.exists(store):
    print(f'making a store from {gpkg} into {store} (once)...', flush=True)
    subprocess.run([cli, 'store', 'create', store + '.part', '--from-demo', gpkg], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    os.rename(store + '.part', store)

work = tempfile.mkdtemp(prefix='landdesk-bench-analysis-')
try:
    out = subprocess.run([bench, gpkg, work, str(runs)], env=env, check=True,
                         capture_output=True, text=True).stdout
    print(out, end='')
    inproc = {m.group(1): float(m.group(2))
              for m in re.finditer(r'in-process (\S+)\s+median ([\d.]+) ms', out)}

    cpu = {}

    def wall(cmd, n=PROCESS_RUNS, before=None):
        """Median wall time in ms of n runs (after one warm-up run); the median CPU time
        (user + sys, less sensitive to a busy machine) goes to cpu[the result]."""
        times, cpus = [], []
        for i in range(n + 1):
            if before:
                before()
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            res = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
            t1 = time.perf_counter()
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if res.returncode != 0:
                sys.exit(f'{cmd[0]} failed: {res.stderr.strip()}')
            if i > 0:
                times.append((t1 - t0) * 1e3)
                cpus.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e3)
        median = statistics.median(times)
        cpu[median] = statistics.median(cpus)
        return median

    def areas_from(text, pattern):
        return {m.group(1): float(m.group(2)) for m in re.finditer(pattern, text)}

    rows = []
    worst = 0.0
    for name, goal in (('5ha', (0.3, 0.15)), ('200ha', (2.5, None))):
        wkt = open(os.path.join(work, name + '.wkt')).read().strip()
        minx, miny, maxx, maxy = open(os.path.join(work, name + '.bbox')).read().split()
        txt = os.path.join(work, name + '.txt')
        ours = areas_from(open(os.path.join(work, name + '.areas')).read(),
                          r'(\S+) ([\d.]+)')
        sql = (f"SELECT t.DLBM AS code, SUM(ST_Area(ST_Intersection(t.geom, "
               f"ST_GeomFromText('{wkt}', 4525)))) AS area FROM xz_dltb t WHERE t.fid IN "
               f"(SELECT id FROM rtree_xz_dltb_geom WHERE minx <= {maxx} AND maxx >= {minx} "
               f"AND miny <= {maxy} AND maxy >= {miny}) GROUP BY t.DLBM")
        ogrinfo = ['ogrinfo', '-q', '-ro', '-dialect', 'SQLite', '-sql', sql, gpkg]
        clip = os.path.join(work, 'clip.gpkg')
        ogr2ogr = ['ogr2ogr', '-f', 'GPKG', clip, gpkg, 'xz_dltb', '-spat', minx, miny, maxx,
                   maxy, '-clipsrc', wkt]

        # correctness: SpatiaLite's ST_Intersection (through GDAL) against our unrounded rows
        text = subprocess.run(ogrinfo, env=env, check=True, capture_output=True,
                              text=True).stdout
        theirs = areas_from(text, r'code \(String\) = (\S+)\s+area \(Real\) = ([\d.eE+-]+)')
        total = sum(ours.values())
        for code in set(ours) | set(theirs):
            a, b = ours.get(code, 0.0), theirs.get(code, 0.0)
            if b < 1e-9 * total and code not in ours:
                continue   # a patch that only touches the red line
            worst = max(worst, abs(a - b) / total)

        t_ours = wall([cli, 'analyze', '--store', gpkg, '--redline', txt, '--json'])
        t_start = wall([cli, '--version'])
        t_ogrinfo = wall(ogrinfo)
        t_ogr2ogr = wall(ogr2ogr, before=lambda: os.path.exists(clip) and os.remove(clip))
        rows.append((name, 'landdesk-cli analyze --json (process)', t_ours, None))
        rows.append((name, 'landdesk-cli --version (process start alone)', t_start, None))
        rows.append((name, 'ogrinfo -dialect SQLite rtree+ST_Intersection', t_ogrinfo,
                     t_ours / t_ogrinfo))
        rows.append((name, 'ogr2ogr -spat -clipsrc', t_ogr2ogr, t_ours / t_ogr2ogr))
        if shutil.which('spatialite'):
            sl_sql = sql.replace('t.geom', 'GeomFromGPB(t.geom)').replace('ST_GeomFromText',
                                                                          'GeomFromText')
            t_sl = wall(['spatialite', '-silent', gpkg, sl_sql + ';'])
            rows.append((name, 'spatialite CLI (process)', t_sl, t_ours / t_sl))
            # in-process anchor: the same query 20 times in one session, .timer on
            script = '.timer on\n' + (sl_sql + ';\n') * 20
            res = subprocess.run(['spatialite', '-silent', gpkg], input=script, env=env,
                                 capture_output=True, text=True)
            # this CLI's timer gives CPU time only: user + sys per statement
            times = [(float(u) + float(v)) * 1e3 for u, v in
                     re.findall(r'CPU Time: user ([\d.]+) sys ([\d.]+)', res.stdout + res.stderr)]
            if times:
                sl_in = statistics.median(times[2:] or times)
                rows.append((name, 'spatialite in-process (same query warm, CPU)', sl_in,
                             inproc[name] / sl_in))
        rows.append((name, f'ld_analysis_run in-process (limit {goal[0]} ms)', inproc[name],
                     None))


    # the whole `analyze --case` process on the store, beside the anchors on that red line
    case = subprocess.run(['sqlite3', store, "SELECT c.number FROM cases c JOIN case_redlines r"
                           " ON r.case_id = c.id GROUP BY c.id HAVING count(*) = 1"
                           " ORDER BY c.number LIMIT 1"],
                          check=True, capture_output=True, text=True).stdout.strip()
    case_txt = os.path.join(work, 'case.txt')
    subprocess.run([cli, 'redline', 'export', '--store', store, '--case', case, '--format',
                    'txt', '--out', case_txt, '--encoding', 'utf-8'], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    parcels = json.loads(subprocess.run([cli, 'redline', 'import', case_txt, '--json'], env=env,
                                        check=True, capture_output=True,
                                        text=True).stdout)['parcels']
    wkt = parcels[0]['wkt']
    xy = [float(v) for v in re.findall(r'-?\d+\.?\d*', wkt)]
    minx, maxx, miny, maxy = min(xy[0::2]), max(xy[0::2]), min(xy[1::2]), max(xy[1::2])
    area_ha = parcels[0]['area_m2'] / 1e4
    name = 'case'
    t_case = wall([cli, 'analyze', '--store', store, '--case', case, '--json'], CASE_RUNS)
    t_start = wall([cli, '--version'], CASE_RUNS)
    sql = (f"SELECT t.DLBM AS code, SUM(ST_Area(ST_Intersection(t.geom, "
           f"ST_GeomFromText('{wkt}', 4525)))) AS area FROM xz_dltb t WHERE t.fid IN "
           f"(SELECT id FROM rtree_xz_dltb_geom WHERE minx <= {maxx} AND maxx >= {minx} "
           f"AND miny <= {maxy} AND maxy >= {miny}) GROUP BY t.DLBM")
    t_ogrinfo = wall(['ogrinfo', '-q', '-ro', '-dialect', 'SQLite', '-sql', sql, gpkg],
                     CASE_RUNS)
    clip = os.path.join(work, 'clip.gpkg')
    t_ogr2ogr = wall(['ogr2ogr', '-f', 'GPKG', clip, gpkg, 'xz_dltb', '-spat', str(minx),
                      str(miny), str(maxx), str(maxy), '-clipsrc', wkt],
                     CASE_RUNS, before=lambda: os.path.exists(clip) and os.remove(clip))
    rows.append((name, f'analyze --case {case} ({area_ha:.1f} ha; limit 10 ms)', t_case, None))
    rows.append((name, 'landdesk-cli --version (process start alone)', t_start, None))
    rows.append((name, 'ogrinfo -dialect SQLite rtree+ST_Intersection', t_ogrinfo,
                 t_case / t_ogrinfo))
    rows.append((name, 'ogr2ogr -spat -clipsrc', t_ogr2ogr, t_case / t_ogr2ogr))
    if shutil.which('spatialite'):
        sl_sql = sql.replace('t.geom', 'GeomFromGPB(t.geom)').replace('ST_GeomFromText',
                                                                      'GeomFromText')
        t_sl = wall(['spatialite', '-silent', gpkg, sl_sql + ';'], CASE_RUNS)
        rows.append((name, 'spatialite CLI (process)', t_sl, t_case / t_sl))

    print()
    print(f"{'':6} {'what':52} {'ms':>10} {'ours/anchor':>12} {'CPU ms':>8}")
    for name, what, ms, ratio in rows:
        r = f'{ratio:12.3f}' if ratio is not None else ' ' * 12
        c = f'{cpu[ms]:8.2f}' if ms in cpu else ''
        print(f'{name:6} {what:52} {ms:10.3f} {r} {c}')
    print(f'\nmachine load (1, 5, 15 min): {" ".join(open("/proc/loadavg").read().split()[:3])}'
          if os.path.exists('/proc/loadavg') else '')
    print(f'\nclass areas vs SpatiaLite ST_Intersection: worst |ours - theirs| / area = '
          f'{worst:.2e} (limit 1e-6)')
    sys.exit(0 if worst <= 1e-6 else 1)
finally:
    shutil.rmtree(work, ignore_errors=True)
