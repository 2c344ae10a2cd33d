# Golden values for Cronbach's alpha with reverse-keyed items (src/core/stats/reliability.ts on keyed values, and
# the reliability section of src/core/analysis/analyzeStudy.ts).
# Run from the repository root:  Rscript --vanilla test/goldens/r/reliability_keys.R
# Writes test/goldens/reliability_keys.json. Needs R >= 4.2 and psych 2.2.9 (Debian r-cran-psych 2.2.9-1).
#
# Data (written once, then read from the checked-in CSV files, so R, PSPP and the TypeScript tests read the same bytes):
# - test/goldens/pspp/bfi.csv: the real public data set psych::bfi (2800 respondents, 25 personality items 1-6 with
#   reverse-keyed items and missing answers, gender, education, age). Provenance and licence:
#   test/goldens/pspp/README.md.
# - test/goldens/pspp/pss10_sim.csv: 300 simulated PSS-10 respondents (0-4; items 4, 5, 7, 8 positively worded, so
#   negatively correlated with the rest before reversal), about 4% of answers missing at random.
#
# psych::alpha(x, keys = k) reverses the items with k < 0 as (min + max) - x, min and max over the whole matrix
# (psych 2.2.9); the script checks that this equals reversing on the instrument's own range (bfi 1-6: 7 - x;
# PSS-10 0-4: 4 - x), which is what nabz does.
suppressPackageStartupMessages(library(psych))
stopifnot(as.character(packageVersion("psych")) == "2.2.9")
source("test/goldens/r/lib/json.R")

data_dir <- "test/goldens/pspp"
out_file <- "test/goldens/reliability_keys.json"

write_if_absent <- function(df, name) {
  path <- file.path(data_dir, name)
  if (!file.exists(path)) write.csv(df, path, row.names = FALSE, na = "")
  read.csv(path)
}

# --- real data: psych::bfi ------------------------------------------------------------------------------------------
data(bfi, package = "psych")
bfi_out <- data.frame(id = as.integer(rownames(bfi)), bfi[, 1:28])
bfi <- write_if_absent(bfi_out, "bfi.csv")
# Keys as in psych's own bfi.keys (help(bfi)).
bfi_scales <- list(
  agreeableness = c("-A1", "A2", "A3", "A4", "A5"),
  conscientiousness = c("C1", "C2", "C3", "-C4", "-C5"),
  extraversion = c("-E1", "-E2", "E3", "E4", "E5"),
  neuroticism = c("N1", "N2", "N3", "N4", "N5"),
  openness = c("O1", "-O2", "O3", "O4", "-O5")
)

# psych::alpha with keys, plus the scale statistics SPSS prints, from the keyed matrix.
keyed_summary <- function(x, keys, lo, hi, rows) {
  x <- as.matrix(x[rows, , drop = FALSE])
  a <- suppressWarnings(psych::alpha(as.data.frame(x), keys = keys, warnings = FALSE))
  xk <- x
  xk[, keys < 0] <- lo + hi - xk[, keys < 0]
  # psych's data-range reversal equals the instrument-range reversal here (the data reach both ends).
  a2 <- suppressWarnings(psych::alpha(as.data.frame(xk), warnings = FALSE))
  stopifnot(isTRUE(all.equal(a$total$raw_alpha, a2$total$raw_alpha, tolerance = 1e-15)))
  stopifnot(isTRUE(all.equal(a$item.stats$mean, a2$item.stats$mean, tolerance = 1e-15)))
  C <- cov(xk, use = "pairwise")
  m <- colMeans(xk, na.rm = TRUE)
  raw <- suppressWarnings(psych::alpha(as.data.frame(x), warnings = FALSE, check.keys = FALSE))
  list(
    keys = arr(keys), n = sum(rowSums(!is.na(x)) > 0), nRows = nrow(x),
    raw = a$total$raw_alpha, std = a$total$std.alpha, averageR = a$total$average_r,
    alphaDrop = a$alpha.drop$raw_alpha, stdAlphaDrop = a$alpha.drop$std.alpha,
    rDrop = a$item.stats$r.drop, itemMean = a$item.stats$mean, itemSd = a$item.stats$sd,
    itemN = as.numeric(a$item.stats$n), scaleMean = sum(m), scaleVariance = sum(C),
    scaleMeanIfDeleted = sum(m) - m,
    scaleVarianceIfDeleted = sapply(seq_len(ncol(xk)), function(i) sum(C[-i, -i])),
    unkeyedRaw = raw$total$raw_alpha
  )
}

scale_goldens <- function(df, items, keys, lo, hi) {
  x <- df[, items]
  complete <- complete.cases(x)
  listwise <- keyed_summary(x, keys, lo, hi, complete)
  listwise$n <- sum(complete)
  pairwise <- keyed_summary(x, keys, lo, hi, rep(TRUE, nrow(x)))
  pairwise$nMinPair <- min(crossprod(!is.na(as.matrix(x))))
  list(items = items, listwise = listwise, pairwise = pairwise)
}

bfi_goldens <- lapply(bfi_scales, function(s) {
  keys <- ifelse(startsWith(s, "-"), -1, 1)
  scale_goldens(bfi, sub("^-", "", s), keys, 1, 6)
})

# --- simulation: PSS-10 ---------------------------------------------------------------------------------------------
set.seed(20261207)
n <- 300
stress <- rnorm(n)
reversed <- c(4, 5, 7, 8)
pss <- sapply(1:10, function(j) {
  signal <- if (j %in% reversed) -stress else stress
  z <- 0.75 * signal + rnorm(n, sd = 0.8)
  as.integer(cut(z, c(-Inf, -1.3, -0.45, 0.45, 1.3, Inf))) - 1L
})
pss[matrix(runif(n * 10) < 0.04, n)] <- NA
colnames(pss) <- sprintf("pss10_%02d", 1:10)
pss <- write_if_absent(data.frame(id = seq_len(n), pss), "pss10_sim.csv")
pss_items <- sprintf("pss10_%02d", 1:10)
stopifnot(min(pss[, pss_items], na.rm = TRUE) == 0, max(pss[, pss_items], na.rm = TRUE) == 4)
pss_keys <- ifelse(1:10 %in% reversed, -1, 1)
pss_golden <- scale_goldens(pss, pss_items, pss_keys, 0, 4)
# The PSS-10 total (all ten items answered, as the library's scoring) of the complete respondents.
pss_complete <- as.matrix(pss[complete.cases(pss[, pss_items]), pss_items])
pss_complete[, reversed] <- 4 - pss_complete[, reversed]
pss_golden$totalMean <- mean(rowSums(pss_complete))

golden <- list(
  meta = list(r = R.version.string, psych = as.character(packageVersion("psych"))),
  bfi = bfi_goldens,
  pss10 = pss_golden
)
writeLines(to_json(golden), out_file)
cat("wrote", out_file, "\n")
for (s in names(bfi_goldens)) {
  g <- bfi_goldens[[s]]
  cat(sprintf("bfi %-17s keyed alpha listwise %.6f (n = %d), pairwise %.6f; unkeyed %.6f\n", s, g$listwise$raw,
    g$listwise$n, g$pairwise$raw, g$pairwise$unkeyedRaw))
}
cat(sprintf("PSS-10 simulated: keyed alpha listwise %.6f (n = %d), pairwise %.6f; unkeyed %.6f\n", pss_golden$listwise$raw,
  pss_golden$listwise$n, pss_golden$pairwise$raw, pss_golden$pairwise$unkeyedRaw))
