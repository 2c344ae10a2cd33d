* Golden output for src/core/stats/correlation.ts (Pearson correlation matrix, pairwise and listwise deletion).
* Run by scripts/goldens.sh inside test/goldens/pspp:  pspp -o correlation.out.csv -O format=csv correlation.sps
* PSPP 1.6 has no NONPAR CORR, so Spearman goldens come from R only (test/goldens/r/stats_b2.R).
* PSPP prints r itself with 3 decimals; the 16-decimal significances pin r down far more tightly.
SET FORMAT=F40.16.
OUTPUT MODIFY /SELECT TABLES /TABLECELLS SELECT=[SIGNIFICANCE] FORMAT=F40.16.
GET DATA /TYPE=TXT /FILE='correlation.csv' /ARRANGEMENT=DELIMITED /DELCASE=LINE /FIRSTCASE=2
  /DELIMITERS="," /QUALIFIER='"'
  /VARIABLES=id F8.0 phq9 F8.0 gad7 F8.0 sleep F8.1 stress F12.6 age F8.0.
CORRELATIONS /VARIABLES=phq9 gad7 sleep stress age /PRINT=TWOTAIL NOSIG /MISSING=PAIRWISE.
CORRELATIONS /VARIABLES=phq9 gad7 sleep stress age /PRINT=TWOTAIL NOSIG /MISSING=LISTWISE.
