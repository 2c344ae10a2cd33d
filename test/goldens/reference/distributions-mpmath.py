#!/usr/bin/env python3
"""Recomputes every reference value in distributions-mpmath.json with mpmath at 50-digit precision.

Usage: python3 test/goldens/reference/distributions-mpmath.py [--write]
Without --write it checks the committed values (prints the digits agreed per entry, exits 1 below 18);
with --write it rewrites the "ref" fields (20 significant digits). Needs python3-mpmath (Debian).
The inputs (t, df, p, F, d1, d2, x, k, z) are read as the binary64 numbers the tests pass in.
"""
import json
import os
import sys

import mpmath as mp

mp.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, 'distributions-mpmath.json')


def t_lower(t, df):
    t, df = mp.mpf(t), mp.mpf(df)
    tail = mp.betainc(df / 2, mp.mpf(1) / 2, 0, df / (df + t * t), regularized=True) / 2
    return tail if t < 0 else 1 - tail


def t_quantile(p, df):
    p = mp.mpf(p)
    # t_lower is monotone: bracket, then solve by bisection-safe Anderson/Illinois.
    lo, hi = mp.mpf(-1), mp.mpf(1)
    while t_lower(lo, df) > p:
        lo *= 2
    while t_lower(hi, df) < p:
        hi *= 2
    return mp.findroot(lambda x: t_lower(x, df) - p, (lo, hi), solver='anderson', tol=mp.mpf(10) ** -45)


def value(e):
    k = e['kind']
    if k == 't_lower':
        return t_lower(e['t'], e['df'])
    if k == 't_quantile':
        return t_quantile(e['p'], e['df'])
    if k == 'f_upper':
        F, d1, d2 = mp.mpf(e['F']), mp.mpf(e['d1']), mp.mpf(e['d2'])
        return mp.betainc(d2 / 2, d1 / 2, 0, d2 / (d2 + d1 * F), regularized=True)
    if k == 'chi2_upper':
        return mp.gammainc(mp.mpf(e['k']) / 2, mp.mpf(e['x']) / 2, mp.inf, regularized=True)
    if k == 'normal_lower':
        return mp.ncdf(mp.mpf(e['z']))
    if k == 'normal_quantile':
        return mp.sqrt(2) * mp.erfinv(2 * mp.mpf(e['p']) - 1)
    raise ValueError(f'unknown kind {k}')


def main():
    entries = json.load(open(PATH))
    worst = mp.inf
    for e in entries:
        v = value(e)
        if '--write' in sys.argv:
            e['ref'] = mp.nstr(v, 20, strip_zeros=False)
            continue
        ref = mp.mpf(e['ref'])
        digits = mp.inf if v == ref else -mp.log10(abs(v - ref) / abs(ref))
        worst = min(worst, digits)
        if digits < 18:
            print('DIFFERS', e, mp.nstr(v, 25), float(digits))
    if '--write' in sys.argv:
        with open(PATH, 'w') as f:
            json.dump(entries, f, indent=0)
            f.write('\n')
        print(f'wrote {len(entries)} entries to {PATH}')
    else:
        print(f'{len(entries)} entries; fewest digits agreed: {float(worst):.1f}')
        sys.exit(0 if worst >= 18 else 1)


if __name__ == '__main__':
    main()
