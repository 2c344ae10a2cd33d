#!/usr/bin/env python3
"""Reference values of the studentized range distribution (upper tail P(Q > q; k, df)) with mpmath at 30 digits.

Independent of R: R's ptukey integrates with fixed 16-point Gauss-Legendre panels and is accurate to only 3-13
digits (it is exact where k = 2: ptukey(q, 2, df) = P(|t_df| > q / sqrt(2))). Here both integrals are done by
mpmath's Gauss-Legendre quadrature at 30 digits (20 for finite df):
  P(Q > q) = int_0^inf f_S(s) P(W > q s) ds,  P(W > w) = 1 - k int phi(z) [Phi(z + w) - Phi(z)]^(k-1) dz,
with f_S the density of sqrt(chi2_df / df). Run from the repository root:
  python3 test/goldens/reference/ptukey-mpmath.py 0 14 > test/goldens/reference/ptukey-mpmath.json
  python3 test/goldens/reference/ptukey-mpmath.py 0 3 finite > test/goldens/reference/ptukey-mpmath-finite.json
(the arguments select points [from, to); needs python3-mpmath; the finite-df points take minutes each).
"""
import json
import sys

import mpmath as mp

METHOD = "gauss-legendre"

mp.mp.dps = 30


def range_upper(w, k):
    if w <= 0:
        return mp.mpf(1)
    # P(W > w) = k int phi(z) [a^(k-1) - (a - b)^(k-1)] dz with a = Phi(-z), b = Phi(-z-w), written as
    # -a^(k-1) expm1((k-1) log1p(-b/a)) so that the far tail (b << a) loses no digits to cancellation
    def g(z):
        a = mp.ncdf(-z)
        b = mp.ncdf(-z - w)
        return -k * mp.npdf(z) * a ** (k - 1) * mp.expm1((k - 1) * mp.log1p(-b / a))
    # many short pieces: on long ones quadrature misjudges the narrow peak near z = -w/2 of the far tail (w = 16.3:
    # tanh-sinh on [-12 - w, -w/2, 0, 12] gave 2.20030e-30, on 40 pieces 2.2002890940e-30, on 85 pieces
    # 2.20028909360803e-30; Gauss-Legendre on 85 pieces 2.2002890936079485e-30)
    return mp.quad(g, mp.linspace(-12 - w, 12, 85), method=METHOD)


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
# far upper tail, where R's ptukey fails (Tukey HSD on ToothGrowth, len by dose: q = 16.33, k = 3)
points += [(9, 3, "Infinity"), (16.334955326500108, 3, "Infinity")]
# finite df: a double integral, several CPU minutes a point; 20 digits here
finite = [(3, 4, 10), (1, 3, 3), (5, 10, 30)]
if len(sys.argv) > 3 and sys.argv[3] == "finite":
    mp.mp.dps = 20
    points = finite
if len(sys.argv) > 2:
    points = points[int(sys.argv[1]) : int(sys.argv[2])]
out = []
for q, k, df in points:
    u = upper(q, k, df)
    out.append({"q": q, "k": k, "df": df, "upper": mp.nstr(u, 20), "lower": mp.nstr(1 - u, 20)})
    print(json.dumps(out[-1]), file=sys.stderr, flush=True)
print(json.dumps(out, indent=1))
