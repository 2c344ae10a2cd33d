* Goldens for src/core/stats/mannwhitney.ts (parsed by test/core/stats/mannwhitney.test.ts).
* Run inside test/goldens/pspp: pspp -o mannwhitney.out.csv -O format=csv mannwhitney.sps
* x has ties (Likert 1-5), y has none. PSPP's Z and Asymp. Sig. use no continuity correction (as SPSS).
SET FORMAT=F20.12.
DATA LIST FILE='mannwhitney_data.txt' FREE /g x y.
FORMATS x y (F20.12).
NPAR TESTS /M-W = x y BY g(1,2).
NPAR TESTS /M-W = x y BY g(2,1).
