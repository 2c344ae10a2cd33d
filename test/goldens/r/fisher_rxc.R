# Golden values for fisherExactRxC in src/core/stats/crosstab.ts: R fisher.test on r x c tables (network algorithm,
# FEXACT). Run from the repository root:  Rscript --vanilla test/goldens/r/fisher_rxc.R  -> test/goldens/fisher_rxc.json
source("test/goldens/r/lib/json.R")
tables <- list(
  t2x3 = matrix(c(3, 1, 0, 1, 4, 6), 2, byrow = TRUE),
  t3x3 = matrix(c(2, 0, 3, 1, 4, 1, 0, 2, 5), 3, byrow = TRUE),
  t3x4 = matrix(c(5, 2, 0, 1, 1, 3, 4, 0, 0, 1, 2, 6), 3, byrow = TRUE),
  # symmetric margins: many tables tie with the observed probability (R's 1 + 1e-7 tolerance matters)
  ties = matrix(c(2, 1, 1, 1, 2, 1, 1, 1, 2), 3, byrow = TRUE),
  # a zero row is dropped
  zero_row = matrix(c(3, 0, 2, 0, 0, 0, 1, 5, 2), 3, byrow = TRUE),
  # Job satisfaction by income (Agresti 2002, Categorical Data Analysis, p. 57; the example in ?fisher.test)
  job = matrix(c(1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11), 4, 4)
)
out <- lapply(tables, function(m) list(counts = lapply(seq_len(nrow(m)), function(i) arr(m[i, ])),
                                        p = fisher.test(m, workspace = 2e8)$p.value))
writeLines(to_json(out), "test/goldens/fisher_rxc.json")
cat("wrote test/goldens/fisher_rxc.json\n")
