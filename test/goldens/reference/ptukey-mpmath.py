#!/usr/bin/env python3
"""Reference values of the studentized range distribution (upper tail P(Q > q; k, df)) with mpmath at 30 digits.

Independent of R: R's ptukey integrates with fixed 16-point Gauss-Legendre panels and is accurate to only 3-13
digits (it is exact where k = 2: ptukey(q, 2, df) = P(|t_df| > q / sqrt(2))). Here both integrals are done by
mpmath's tanh-sinh quadrature at 30 digits:
  P(Q > q) = int_0^inf f_S(s) P(W > q s) ds,  P(W > w) = 1 - k int phi(z) [Phi(z + w) - Phi(z)]^(k-1) dz,
with f_S the density of sqrt(chi2_df / df). Run from the repository root:
  python3 test/goldens/reference/ptukey-mpmath.py 0 15 > test/goldens/reference/ptukey-mpmath.json
  python3 test/goldens/reference/ptukey-mpmath.py 0 6 finite > test/goldens/reference/ptukey-mpmath-finite.json
(the arguments select points [from, to); needs python3-mpmath; the finite-df points take minutes each).
"""
import json
import sys

import mpmath as mp

METHOD = "tanh-sinh"

mp.mp.dps = 30


def range_upper(w, k):
    if w <= 0:
        return mp.mpf(1)
    f = lambda z: k * mp.npdf(z) * (mp.ncdf(z + w) - mp.ncdf(z)) ** (k - 1)
    # P(W > w) = k int phi(z) [(1 - Phi(z))^(k-1) - (Phi(z+w) - Phi(z))^(k-1)] dz, no cancellation for large w
    g = lambda z: k * mp.npdf(z) * ((1 - mp.ncdf(z)) ** (k - 1) - (mp.ncdf(z + w) - mp.ncdf(z)) ** (k - 1))
    return mp.quad(g, [-12 - w, -w / 2, 0, 12], method=METHOD)


def upper(q, k, df):
    q = mp.mpf(q)
    if df == "Infinity":
        return range_upper(q, k)
    df = mp.mpf(df)
    h = df / 2
    dens = lambda s: df * s * mp.exp((h - 1) * mp.log(h * s * s) - h * s * s - mp.loggamma(h))
    mode = mp.sqrt((df - 1) / df)
    sd = 1 / mp.sqrt(2 * df)
    pts = sorted(set([mp.mpf(0)] + [mode + j * sd for j in (-8, -4, -2, 0, 2, 4, 8, 14) if mode + j * sd > 0]))
    return mp.quad(lambda s: dens(s) * range_upper(q * s, k), pts, method=METHOD)


points = [(q, k, df) for df in ("Infinity",) for k in (3, 5, 10, 20) for q in (1, 3, 5)]
# far upper tail, where R's ptukey fails: Tukey HSD and Games-Howell on ToothGrowth (len by dose)
points += [(9.624920434394705, 3, 57), (16.334955326500108, 3, 57), (16.686370814477442, 3, 36.8825850349929)]
# finite df: a double integral, about 5 CPU minutes a point at 30 digits; fewer digits and Gauss-Legendre here
finite = [(3, 4, 10), (1, 3, 3), (5, 10, 30)]
if len(sys.argv) > 3 and sys.argv[3] == "finite":
    mp.mp.dps = 20
    METHOD = "gauss-legendre"
    points = points[:0] + finite + points[12:]
if len(sys.argv) > 2:
    points = points[int(sys.argv[1]) : int(sys.argv[2])]
out = []
for q, k, df in points:
    u = upper(q, k, df)
    out.append({"q": q, "k": k, "df": df, "upper": mp.nstr(u, 20), "lower": mp.nstr(1 - u, 20)})
    print(json.dumps(out[-1]), file=sys.stderr, flush=True)
print(json.dumps(out, indent=1))
