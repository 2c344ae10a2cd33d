# Golden values for src/core/stats/dunn.ts (Dunn's test after Kruskal-Wallis)
# Run from the repository root:  Rscript --vanilla test/goldens/r/dunn.R
# Writes test/goldens/dunn.json. Base R only: no Debian package provides Dunn's test (r-cran-pmcmrplus,
# r-cran-dunn.test and r-cran-fsa are not packaged), so it is written here from Dunn (1964) as dunn.test computes it:
#   z = (mean rank j - mean rank i) / sqrt((N (N + 1) / 12 - sum(t^3 - t) / (12 (N - 1))) (1 / n_i + 1 / n_j)),
#   p = 2 pnorm(-|z|), then p.adjust over the k (k - 1) / 2 comparisons.
# The mean ranks are checked against kruskal.test's own statistic (H recomputed from them), so the ranking is R's.
#
# Data: warpbreaks, PlantGrowth, ToothGrowth (R datasets, exported by posthoc.R), psych::bfi (age by education,
# real public data with many ties; exported by reliability_keys.R), posthoc_sim.csv (posthoc.R) and dunn_sim.csv
# (simulated here once, seeded: 0-3 Likert-like means with heavy ties in 5 groups of unequal size).
data_dir <- "test/goldens/pspp"
out_file <- "test/goldens/dunn.json"
source("test/goldens/r/lib/json.R")
source("test/goldens/r/lib/data.R")  # write_if_absent()
pg <- read.csv(file.path(data_dir, "plantgrowth.csv"))
wb <- read.csv(file.path(data_dir, "warpbreaks.csv"))
tg <- read.csv(file.path(data_dir, "toothgrowth.csv"))
ps <- read.csv(file.path(data_dir, "posthoc_sim.csv"))
bfi <- read.csv(file.path(data_dir, "bfi.csv"))
set.seed(20261207)
sizes <- c(40, 9, 55, 23, 31)
grp <- rep(c("g1", "g2", "g3", "g4", "g5"), sizes)
shift <- rep(c(0, 0.5, 0.2, 0.8, 0.1), sizes)
lik <- round(pmin(3, pmax(0, rnorm(sum(sizes), 1.2 + shift, 0.8))) * 2) / 2
lik[c(7, 60, 111)] <- NA
ds <- write_if_absent(data.frame(group = grp, score = lik), "dunn_sim.csv")

dunn_golden <- function(y, g) {
  g <- factor(g)
  ok <- !is.na(y) & !is.na(g)
  y <- y[ok]; g <- droplevels(g[ok])
  n <- length(y)
  r <- rank(y)
  mr <- tapply(r, g, mean)
  ni <- tapply(r, g, length)
  t <- table(y)
  ties <- sum(t^3 - t)
  v <- n * (n + 1) / 12 - ties / (12 * (n - 1))
  k <- nlevels(g)
  lev <- levels(g)
  names <- c(); est <- c(); se <- c(); z <- c()
  for (i in 1:(k - 1)) for (j in (i + 1):k) {
    d <- mr[[j]] - mr[[i]]
    s <- sqrt(v * (1 / ni[[i]] + 1 / ni[[j]]))
    names <- c(names, paste(lev[j], lev[i], sep = " - "))
    est <- c(est, d); se <- c(se, s); z <- c(z, d / s)
  }
  p <- 2 * pnorm(-abs(z))
  # the same mean ranks give kruskal.test's H
  h <- (12 / (n * (n + 1)) * sum(ni * (mr - (n + 1) / 2)^2)) / (1 - ties / (n^3 - n))
  stopifnot(abs(h - unname(kruskal.test(y ~ g)$statistic)) < 1e-9 * h)
  list(levels = lev, n = n, ties = ties, mean_ranks = arr(unname(mr)), group_n = arr(unname(ni)),
       comparisons = names, estimate = arr(est), se = arr(se), z = arr(z), p = arr(p),
       p_holm = arr(p.adjust(p, "holm")), p_bonferroni = arr(p.adjust(p, "bonferroni")),
       p_BH = arr(p.adjust(p, "BH")))
}
out <- list(
  plantgrowth = dunn_golden(pg$weight, pg$group),
  warpbreaks = dunn_golden(wb$breaks, wb$tension),
  toothgrowth = dunn_golden(tg$len, tg$dose),
  bfi_age_education = dunn_golden(bfi$age, bfi$education),
  sim = dunn_golden(ps$score, ps$group),
  dunn_sim = dunn_golden(ds$score, ds$group)
)
writeLines(to_json(out), out_file)
cat("wrote", out_file, "\n")
