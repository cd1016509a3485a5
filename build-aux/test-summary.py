#!/usr/bin/env python3
"""Counts the test cases of a `meson test` run: each TAP line of a GTest program, and each
plain test once. Prints "N passed, N failed, N skipped" and exits 1 when anything failed."""
import json
import re
import sys

passed = failed = skipped = 0
for line in open(sys.argv[1], encoding='utf-8'):
    t = json.loads(line)
    results = re.findall(r'^(ok|not ok)\b[^#\n]*(#\s*(SKIP|TODO))?', t.get('stdout') or '', re.M)
    if t.get('protocol', '') == 'tap' or results:
        for verdict, _, directive in results:
            if directive.upper() == 'SKIP':
                skipped += 1
            elif verdict == 'ok':
                passed += 1
            else:
                failed += 1
        # A program that crashed or timed out before printing its plan still fails.
        if t['result'] not in ('OK', 'SKIP', 'EXPECTEDFAIL') and not any(r[0] == 'not ok' for r in results):
            failed += 1
    elif t['result'] in ('OK', 'EXPECTEDFAIL'):
        passed += 1
    elif t['result'] == 'SKIP':
        skipped += 1
    else:
        failed += 1
print(f'{passed} passed, {failed} failed, {skipped} skipped')
sys.exit(1 if failed else 0)
