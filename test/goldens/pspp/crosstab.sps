* Golden output for src/core/stats/crosstab.ts (chi-square tests, phi, Cramer's V, Fisher's exact test).
* Run by scripts/goldens.sh inside test/goldens/pspp:  pspp -o crosstab.out.csv -O format=csv crosstab.sps
* Significance and other values are printed with 16 decimals so that tests can compare many digits.
SET FORMAT=F40.16.
OUTPUT MODIFY /SELECT TABLES /TABLECELLS SELECT=[SIGNIFICANCE RESIDUAL] FORMAT=F40.16.

* Part 1: the seeded survey extract (written by test/goldens/r/stats_b2.R), complete pairs per table.
GET DATA /TYPE=TXT /FILE='crosstab.csv' /ARRANGEMENT=DELIMITED /DELCASE=LINE /FIRSTCASE=2
  /DELIMITERS="," /QUALIFIER='"'
  /VARIABLES=id F8.0 sex F8.0 year F8.0 burnout F8.0 depressed F8.0 smoker F8.0.
CROSSTABS /TABLES=sex BY burnout /STATISTICS=CHISQ PHI /CELLS=COUNT EXPECTED.
CROSSTABS /TABLES=burnout BY depressed /STATISTICS=CHISQ PHI /CELLS=COUNT EXPECTED.
CROSSTABS /TABLES=year BY burnout /STATISTICS=CHISQ PHI /CELLS=COUNT EXPECTED.
CROSSTABS /TABLES=year BY smoker /STATISTICS=CHISQ PHI /CELLS=COUNT EXPECTED.
CROSSTABS /TABLES=sex BY year /STATISTICS=CHISQ PHI /CELLS=COUNT EXPECTED.

* Part 2: tables of counts (the same tables as in stats_b2.R), entered as weighted cells.
DATA LIST LIST /tbl r c w.
BEGIN DATA
1 1 1 2
1 1 2 9
1 2 1 7
1 2 2 3
2 1 1 12
2 1 2 9
2 1 3 8
2 2 1 5
2 2 2 3
2 2 3 6
2 3 1 7
2 3 2 11
2 3 3 2
3 1 1 120
3 1 2 340
3 2 1 95
3 2 2 410
4 1 1 0
4 1 2 5
4 1 3 7
4 1 4 3
4 2 1 4
4 2 2 1
4 2 3 2
4 2 4 0
5 1 1 1500
5 1 2 2100
5 2 1 1800
5 2 2 1900
END DATA.
WEIGHT BY w.
SPLIT FILE BY tbl.
CROSSTABS /TABLES=r BY c /STATISTICS=CHISQ PHI /CELLS=COUNT EXPECTED.
