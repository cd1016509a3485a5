#!/usr/bin/env python3
"""Fails when a translation is missing or fuzzy, or a source file with marked strings is
missing from po/POTFILES.in (or listed there but gone).

usage: check-po.py SOURCE_ROOT
"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1])
po_dir = root / 'po'
errors = []

# C files mark with _( N_( C_( NC_( g_dgettext; .ui files with translatable="yes";
# data files are listed by hand because every one of them carries translatable text.
C_MARK = re.compile(r'\b(?:_|N_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"')
UI_MARK = re.compile(r'translatable="yes"')

listed_raw = (po_dir / 'POTFILES.in').read_text(encoding='utf-8').splitlines()
listed = [l.strip() for l in listed_raw if l.strip() and not l.startswith('#')]
if listed != sorted(listed):
    errors.append('po/POTFILES.in is not sorted')
for name in listed:
    if not (root / name).exists():
        errors.append(f'po/POTFILES.in lists {name}, which does not exist')

for path in sorted(list((root / 'src').rglob('*.c')) + list((root / 'ui').rglob('*.ui'))):
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding='utf-8')
    marked = UI_MARK.search(text) if path.suffix == '.ui' else C_MARK.search(text)
    if marked and rel not in listed:
        errors.append(f'{rel} has translatable strings but is missing from po/POTFILES.in')

for lang in (po_dir / 'LINGUAS').read_text().split():
    po = po_dir / f'{lang}.po'
    if not po.exists():
        errors.append(f'po/LINGUAS names {lang} but po/{lang}.po is missing')
        continue
    res = subprocess.run(['msgfmt', '--check', '--statistics', '-o', '/dev/null', str(po)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        errors.append(f'po/{lang}.po does not compile:\n{res.stderr}')
    stats = res.stderr.strip()
    if 'fuzzy' in stats or 'untranslated' in stats:
        errors.append(f'po/{lang}.po is incomplete: {stats}')
    # The catalogue must cover every string the sources mark today, not just the old .pot.
    pot = subprocess.run(['xgettext', '--from-code=UTF-8', '--keyword=_', '--keyword=N_',
                          '--keyword=C_:1c,2', '--keyword=NC_:1c,2', '-o', '-',
                          '--files-from', str(po_dir / 'POTFILES.in')],
                         cwd=root, capture_output=True, text=True)
    if pot.returncode != 0:
        errors.append(f'xgettext failed:\n{pot.stderr}')
        continue
    merged = subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', '-', str(po), '-'],
                            input=pot.stdout, capture_output=True, text=True)
    check = subprocess.run(['msgfmt', '--statistics', '-o', '/dev/null', '-'],
                           input=merged.stdout, capture_output=True, text=True)
    if 'untranslated' in check.stderr or 'fuzzy' in check.stderr:
        missing = subprocess.run(['msgattrib', '--untranslated', '--no-obsolete', '-'],
                                 input=merged.stdout, capture_output=True, text=True).stdout
        ids = re.findall(r'^msgid "(.+)"$', missing, re.M)
        errors.append(f'po/{lang}.po lacks translations for: ' + '; '.join(ids[:20]))

for e in errors:
    print('error:', e)
print('po check:', 'failed' if errors else 'ok')
sys.exit(1 if errors else 0)
