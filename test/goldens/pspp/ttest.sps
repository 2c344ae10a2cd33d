* Goldens for src/core/stats/ttest.ts and levene.ts (parsed by test/core/stats/ttest.test.ts).
* Run inside test/goldens/pspp: pspp -o ttest.out.csv -O format=csv ttest.sps
* F20.12 prints 12 decimals for the statistics; PSPP always prints Sig. with 3 decimals.
SET FORMAT=F20.12.
DATA LIST FILE='ttest_data.txt' FREE /g x.
FORMATS x (F20.12).
T-TEST GROUPS=g(1,2) /VARIABLES=x.
T-TEST GROUPS=g(1,2) /VARIABLES=x /CRITERIA=CI(.90).
T-TEST /TESTVAL=22.5 /VARIABLES=x.
DATA LIST FILE='ttest_paired.txt' FREE /pre post.
FORMATS pre post (F20.12).
T-TEST PAIRS=pre WITH post (PAIRED).
