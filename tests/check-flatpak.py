#!/usr/bin/env python3
"""Checks the Flatpak manifest without building it (no flathub here): it parses, names the
application, and builds every library the GNOME runtime lacks before LandDesk itself.

usage: check-flatpak.py SOURCE_ROOT
"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
path = root / 'flatpak' / 'io.github.landdesk.LandDesk.json'
errors = []
try:
    manifest = json.loads(path.read_text(encoding='utf-8'))
except (OSError, json.JSONDecodeError) as e:
    print(f'error: {path}: {e}')
    sys.exit(1)

def expect(cond, msg):
    if not cond:
        errors.append(msg)

expect(manifest.get('id') == 'io.github.landdesk.LandDesk', 'id is not io.github.landdesk.LandDesk')
expect(manifest.get('runtime') == 'org.gnome.Platform', 'runtime is not org.gnome.Platform')
expect(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk is not org.gnome.Sdk')
expect(manifest.get('command') == 'landdesk', 'command is not landdesk')
finish = ' '.join(manifest.get('finish-args', []))
for arg in ('--share=network', '--socket=wayland', '--socket=fallback-x11', '--share=ipc'):
    expect(arg in finish, f'finish-args lacks {arg}')

modules = manifest.get('modules', [])
names = [m.get('name') if isinstance(m, dict) else pathlib.Path(m).stem for m in modules]
# What meson.build depends on that org.gnome.Platform does not ship.
needed = ['libsodium', 'proj', 'geos', 'gdal', 'libshumate', 'landdesk']
for n in needed:
    expect(n in names, f'module {n} is missing')
if all(n in names for n in needed):
    order = [names.index(n) for n in needed]
    expect(order == sorted(order), f'modules are built in the wrong order: {names}')
    expect(names[-1] == 'landdesk', 'landdesk must be the last module')

for m in modules:
    if not isinstance(m, dict):
        continue
    expect(m.get('buildsystem') in ('meson', 'cmake-ninja', 'cmake', 'autotools', 'simple'),
           f"module {m.get('name')}: unknown buildsystem {m.get('buildsystem')}")
    for s in m.get('sources', []):
        if s.get('type') == 'archive':
            expect(len(s.get('sha256', '')) == 64, f"module {m.get('name')}: archive without sha256")
        if s.get('type') == 'git':
            expect('tag' in s or 'commit' in s, f"module {m.get('name')}: git source not pinned")

for e in errors:
    print('error:', e)
print('flatpak manifest:', 'failed' if errors else 'ok')
sys.exit(1 if errors else 0)
