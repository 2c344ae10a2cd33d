#!/usr/bin/env bash
# Regenerates every statistics golden from the checked-in R and PSPP scripts.
# Needs: apt-get install r-base-core r-cran-psych r-cran-mass pspp python3-mpmath. The goldens are committed; tests never call R or PSPP.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in test/goldens/r/*.R; do
  echo "R: $f"
  Rscript --vanilla "$f"
done
for f in test/goldens/pspp/*.sps; do
  out="${f%.sps}.out.csv"
  echo "PSPP: $f -> $out"
  (cd "$(dirname "$f")" && pspp -o "$(basename "$out")" -O format=csv "$(basename "$f")")
done
echo "mpmath: checking test/goldens/reference/distributions-mpmath.json"
python3 test/goldens/reference/distributions-mpmath.py
