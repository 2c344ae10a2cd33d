* Golden output for Cronbach's alpha with reverse-keyed items: SPSS/PSPP RELIABILITY on recoded items (listwise).
* Run by scripts/goldens.sh inside test/goldens/pspp:  pspp -o reliability_keys.out.csv -O format=csv reliability_keys.sps
* Data: bfi.csv (psych::bfi, real; see README.md) and pss10_sim.csv (simulated), both written by
* test/goldens/r/reliability_keys.R. Reverse keying on the instrument's range: bfi 1-6 -> 7 - x, PSS-10 0-4 -> 4 - x.
SET FORMAT=F40.16.
GET DATA /TYPE=TXT /FILE='bfi.csv' /ARRANGEMENT=DELIMITED /DELCASE=LINE /FIRSTCASE=2
  /DELIMITERS="," /QUALIFIER='"'
  /VARIABLES=id F8.0 A1 F8.0 A2 F8.0 A3 F8.0 A4 F8.0 A5 F8.0 C1 F8.0 C2 F8.0 C3 F8.0 C4 F8.0 C5 F8.0
    E1 F8.0 E2 F8.0 E3 F8.0 E4 F8.0 E5 F8.0 N1 F8.0 N2 F8.0 N3 F8.0 N4 F8.0 N5 F8.0
    O1 F8.0 O2 F8.0 O3 F8.0 O4 F8.0 O5 F8.0 gender F8.0 education F8.0 age F8.0.
COMPUTE A1r = 7 - A1.
COMPUTE C4r = 7 - C4.
COMPUTE C5r = 7 - C5.
COMPUTE E1r = 7 - E1.
COMPUTE E2r = 7 - E2.
COMPUTE O2r = 7 - O2.
COMPUTE O5r = 7 - O5.
EXECUTE.
RELIABILITY /VARIABLES=A1r A2 A3 A4 A5 /SCALE('agreeableness') ALL /MODEL=ALPHA /SUMMARY=TOTAL.
RELIABILITY /VARIABLES=C1 C2 C3 C4r C5r /SCALE('conscientiousness') ALL /MODEL=ALPHA /SUMMARY=TOTAL.
RELIABILITY /VARIABLES=E1r E2r E3 E4 E5 /SCALE('extraversion') ALL /MODEL=ALPHA /SUMMARY=TOTAL.
RELIABILITY /VARIABLES=N1 N2 N3 N4 N5 /SCALE('neuroticism') ALL /MODEL=ALPHA /SUMMARY=TOTAL.
RELIABILITY /VARIABLES=O1 O2r O3 O4 O5r /SCALE('openness') ALL /MODEL=ALPHA /SUMMARY=TOTAL.
GET DATA /TYPE=TXT /FILE='pss10_sim.csv' /ARRANGEMENT=DELIMITED /DELCASE=LINE /FIRSTCASE=2
  /DELIMITERS="," /QUALIFIER='"'
  /VARIABLES=id F8.0 pss10_01 F8.0 pss10_02 F8.0 pss10_03 F8.0 pss10_04 F8.0 pss10_05 F8.0 pss10_06 F8.0
    pss10_07 F8.0 pss10_08 F8.0 pss10_09 F8.0 pss10_10 F8.0.
COMPUTE pss10_04r = 4 - pss10_04.
COMPUTE pss10_05r = 4 - pss10_05.
COMPUTE pss10_07r = 4 - pss10_07.
COMPUTE pss10_08r = 4 - pss10_08.
EXECUTE.
RELIABILITY /VARIABLES=pss10_01 pss10_02 pss10_03 pss10_04r pss10_05r pss10_06 pss10_07r pss10_08r pss10_09 pss10_10
  /SCALE('PSS-10') ALL /MODEL=ALPHA /SUMMARY=TOTAL.
