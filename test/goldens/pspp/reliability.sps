* Golden output for src/core/stats/reliability.ts (Cronbach's alpha, listwise deletion as SPSS RELIABILITY).
* Run by scripts/goldens.sh inside test/goldens/pspp:  pspp -o reliability.out.csv -O format=csv reliability.sps
SET FORMAT=F40.16.
GET DATA /TYPE=TXT /FILE='reliability.csv' /ARRANGEMENT=DELIMITED /DELCASE=LINE /FIRSTCASE=2
  /DELIMITERS="," /QUALIFIER='"'
  /VARIABLES=id F8.0 item1 F8.0 item2 F8.0 item3 F8.0 item4 F8.0 item5 F8.0 item6 F8.0 item7 F8.0 item8 F8.0.
RELIABILITY /VARIABLES=item1 TO item8 /SCALE('all eight') ALL /MODEL=ALPHA /SUMMARY=TOTAL.
RELIABILITY /VARIABLES=item1 item2 item3 /SCALE('first three') ALL /MODEL=ALPHA /SUMMARY=TOTAL.
