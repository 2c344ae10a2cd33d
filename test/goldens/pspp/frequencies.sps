* Golden for src/core/stats/frequencies.ts and descriptives.ts (SPSS FREQUENCIES layout).
* Run by scripts/goldens.sh: pspp -o frequencies.out.csv -O format=csv frequencies.sps
* Data: 48 fictional medical students; nervous = GAD-7 item 1, interest = PHQ-9 item 1,
* with 8 = not applicable and 9 = skipped declared user-missing; empty cells are system-missing.
GET DATA
  /TYPE=TXT
  /FILE='frequencies_data.csv'
  /ARRANGEMENT=DELIMITED
  /DELIMITERS=','
  /FIRSTCASE=2
  /VARIABLES=id F4.0 year F1.0 nervous F1.0 interest F1.0 sleep F4.1.

VARIABLE LABELS
  nervous 'Feeling nervous, anxious or on edge'
  /interest 'Little interest or pleasure in doing things'
  /sleep 'Hours of sleep per night'.

VALUE LABELS
  nervous interest
    0 'Not at all'
    1 'Several days'
    2 'More than half the days'
    3 'Nearly every day'
    8 'Not applicable'
    9 'Skipped'.

MISSING VALUES nervous interest (8, 9).

FREQUENCIES
  /VARIABLES=nervous interest year
  /FORMAT=AVALUE
  /STATISTICS=NONE.

* Print min, max and percentiles with many decimals (PSPP keeps 2 decimals for mean, SD, etc.).
* Note: PSPP 1.6 FREQUENCIES computes percentiles as R type 7, unlike SPSS (HAVERAGE = type 6);
* EXAMINE below uses HAVERAGE explicitly.
FORMATS sleep (F20.14).

FREQUENCIES
  /VARIABLES=sleep
  /FORMAT=NOTABLE
  /STATISTICS=MEAN STDDEV VARIANCE MINIMUM MAXIMUM RANGE SUM SEMEAN MEDIAN
  /PERCENTILES=25 50 75.

* EXAMINE with SPSS's default HAVERAGE percentiles (= R type 6) and Tukey's hinges.
EXAMINE
  /VARIABLES=sleep
  /STATISTICS=DESCRIPTIVES
  /PERCENTILES(25,50,75)=HAVERAGE.
