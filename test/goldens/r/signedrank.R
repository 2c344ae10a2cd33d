# Golden values for src/core/stats/signedrank.ts (Wilcoxon signed-rank test for paired samples)
# Run from the repository root:  Rscript --vanilla test/goldens/r/signedrank.R
# Writes test/goldens/signedrank.json. Base R (stats::wilcox.test(x, y, paired = TRUE), psignrank) and MASS
# (r-cran-mass, a recommended package of every R installation) for the anorexia data.
#
# Each case records what wilcox.test returns (V, p, method, warning) and what R's own code computes on the way,
# written out here from R's source (stats:::wilcox.test.default) and checked against the p it returns:
#   d = x - y over complete pairs; zeros dropped (R has no zero.method: always Wilcoxon's, "zeroes" dropped);
#   n = non-zero d; V = sum(rank(abs(d))[d > 0]);
#   exact (n < 50, no ties, no zeros): two-sided 2 * min(P(V <= v), P(V >= v)) from psignrank;
#   else z = (V - n(n + 1)/4 - c) / sqrt(n(n + 1)(2n + 1)/24 - sum(t^3 - t)/48), c = continuity correction.
# Effect sizes: r = z / sqrt(n) (n non-zero differences), rank-biserial (V - V-) / (V + V-).
#
# Data: R's sleep (extra by group, paired by ID), MASS::anorexia (Prewt, Postwt: weight before and after
# treatment of 72 young women with anorexia; all, and the family-therapy group), exported once to
# test/goldens/pspp/sleep.csv and anorexia.csv; signedrank_sim.csv (simulated here once, seeded: 120 PHQ-9-like
# totals 0-27 before and after, right-skewed, heavy ties, no change for some, missing values); and small cases
# made here (seeded), written into the JSON.
options(warn = 1)
out_file <- "test/goldens/signedrank.json"
source("test/goldens/r/lib/json.R")
source("test/goldens/r/lib/data.R")  # write_if_absent()

sl <- write_if_absent(data.frame(ID = as.integer(sleep$ID), group = as.integer(sleep$group), extra = sleep$extra),
                      "sleep.csv")
an <- write_if_absent(MASS::anorexia, "anorexia.csv")
set.seed(20261208)
n_sim <- 120
pre <- pmin(27, round(rgamma(n_sim, shape = 2.2, scale = 4.5)))
post <- pmin(27, pmax(0, pre - round(rgamma(n_sim, shape = 1.3, scale = 2.5)) + sample(-2:2, n_sim, TRUE)))
same <- sample(n_sim, 12)
post[same] <- pre[same]
post[c(5, 41, 97)] <- NA
pre[c(18, 63)] <- NA
sim <- write_if_absent(data.frame(pre = pre, post = post), "signedrank_sim.csv")

sr_case <- function(name, x, y, alternative = "two.sided", exact = NULL, correct = TRUE, data = NULL) {
  warn <- character()
  r <- withCallingHandlers(
    wilcox.test(x, y, paired = TRUE, alternative = alternative, exact = exact, correct = correct),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
  ok <- complete.cases(x, y)
  d <- x[ok] - y[ok]
  zeros <- sum(d == 0)
  d <- d[d != 0]
  n <- length(d)
  rk <- rank(abs(d))
  V <- sum(rk[d > 0])
  stopifnot(V == unname(r$statistic))
  nt <- table(rk)
  ties <- sum(nt^3 - nt)
  sigma <- sqrt(n * (n + 1) * (2 * n + 1) / 24 - ties / 48)
  zc <- V - n * (n + 1) / 4
  corr <- if (correct) switch(alternative, two.sided = sign(zc) * 0.5, greater = 0.5, less = -0.5) else 0
  z <- (zc - corr) / sigma
  p_asym <- switch(alternative, less = pnorm(z), greater = pnorm(z, lower.tail = FALSE),
                   two.sided = min(1, 2 * min(pnorm(z), pnorm(z, lower.tail = FALSE))))
  is_exact <- grepl("exact", r$method) # "Wilcoxon signed rank exact test"
  if (is_exact) {
    lo <- psignrank(V, n); hi <- psignrank(V - 1, n, lower.tail = FALSE)
    p_ex <- switch(alternative, less = lo, greater = hi,
                   two.sided = min(1, 2 * (if (V > n * (n + 1) / 4) hi else lo)))
    stopifnot(p_ex == r$p.value)
  } else {
    stopifnot(isTRUE(all.equal(p_asym, r$p.value, tolerance = 1e-14)))
  }
  total <- n * (n + 1) / 2
  c(list(name = name), if (is.null(data)) list(x = arr(x), y = arr(y)) else list(data = data),
    list(alternative = alternative, exact = if (is.null(exact)) "auto" else exact, correct = correct,
         V = unname(r$statistic), p = r$p.value, pIsExact = is_exact, warnings = arr(warn), method = r$method,
         n = n, pairs = sum(ok), zeros = zeros, positive = sum(d > 0), tieSum = ties, z = z,
         pAsymptotic = p_asym, r = z / sqrt(n), rankBiserial = (V - (total - V)) / total))
}

# Small exact cases (no ties, no zeros): n = 5, 10, 20.
set.seed(20261207)
x5 <- round(rnorm(5, 10, 3), 3); y5 <- round(x5 - rnorm(5, 1.5, 2), 3)
x10 <- round(rnorm(10, 10, 3), 3); y10 <- round(x10 - rnorm(10, 0.8, 2), 3)
x20 <- round(rnorm(20, 10, 3), 3); y20 <- round(x20 + rnorm(20, 0.6, 2), 3)
# n = 60 without ties (normal approximation by R's rule; exact on request); n = 49 exact by the rule.
x60 <- round(rnorm(60, 20, 5), 4); y60 <- round(x60 - rnorm(60, 0.7, 3), 4)
x49 <- round(rnorm(49, 20, 5), 4); y49 <- round(x49 - rnorm(49, 0.5, 3), 4)
# Ties among |d| (integer scores), zeros, and both; NA pairs dropped.
xt <- c(12, 15, 9, 20, 14, 11, 18, 7, 16, 13, 10, 19)
yt <- c(10, 12, 11, 15, 12, 8, 14, 9, 13, 10, 14, 12)
xz <- c(5, 8, 12, 7, 9, 14, 6, 11, 10, 13, 4, 15, 8, 9, 12)
yz <- c(5, 6.5, 9.2, 7, 12.1, 10.3, 2.4, 11, 4.7, 13.5, 1.2, 8.9, 8.8, 3.3, 0.6)
xna <- c(3.1, NA, 4.7, 2.2, 5.9, 6.4, NA, 1.8, 7.3, 4.4)
yna <- c(2.0, 3.3, 5.1, NA, 3.6, 3.9, 2.8, 2.7, 4.0, 1.5)
stopifnot(!anyDuplicated(abs(x5 - y5)), !anyDuplicated(abs(x10 - y10)), !anyDuplicated(abs(x20 - y20)),
          !anyDuplicated(abs(x60 - y60)), !anyDuplicated(abs(x49 - y49)), all(x60 != y60), all(x49 != y49))
# Random small cases: n from 3 to 45, half of them with integer scores (ties, zeros), all three alternatives.
rand <- list()
for (i in 1:40) {
  n <- sample(3:45, 1)
  if (i %% 2 == 0) {
    x <- sample(0:10, n, TRUE); y <- pmin(10, pmax(0, x + sample(-4:3, n, TRUE)))
  } else {
    x <- round(rnorm(n, 5, 2), 2); y <- round(x + rnorm(n, 0.4, 1.5), 2)
  }
  if (all(x == y)) next
  rand[[length(rand) + 1]] <- sr_case(sprintf("random_%02d_n%d", i, n), x, y,
                                      alternative = c("two.sided", "less", "greater")[i %% 3 + 1])
}

s1 <- sl$extra[sl$group == 1][order(sl$ID[sl$group == 1])]
s2 <- sl$extra[sl$group == 2][order(sl$ID[sl$group == 2])]
ft <- an[an$Treat == "FT", ]

cases <- c(list(
  sr_case("n5_exact", x5, y5),
  sr_case("n5_exact_swapped", y5, x5),
  sr_case("n10_exact", x10, y10),
  sr_case("n10_exact_less", x10, y10, alternative = "less"),
  sr_case("n10_exact_greater", x10, y10, alternative = "greater"),
  sr_case("n10_asym_correct", x10, y10, exact = FALSE),
  sr_case("n10_asym_nocorrect", x10, y10, exact = FALSE, correct = FALSE),
  sr_case("n20_exact", x20, y20),
  sr_case("n20_exact_greater", x20, y20, alternative = "greater"),
  sr_case("n49_exact_auto", x49, y49),
  sr_case("n60_auto_normal", x60, y60),
  sr_case("n60_auto_normal_less", x60, y60, alternative = "less"),
  sr_case("n60_exact_true", x60, y60, exact = TRUE),
  sr_case("ties", xt, yt),
  sr_case("ties_nocorrect", xt, yt, correct = FALSE),
  sr_case("ties_exact_true_fallback", xt, yt, exact = TRUE),
  sr_case("zeros", xz, yz),
  sr_case("zeros_greater", xz, yz, alternative = "greater"),
  sr_case("missing_pairs", xna, yna),
  sr_case("sleep", s1, s2, data = "sleep"),
  sr_case("anorexia_all", an$Postwt, an$Prewt, data = "anorexia_all"),
  sr_case("anorexia_ft", ft$Postwt, ft$Prewt, data = "anorexia_ft"),
  sr_case("sim_phq9", sim$post, sim$pre, data = "sim_phq9"),
  sr_case("sim_phq9_less", sim$post, sim$pre, alternative = "less", data = "sim_phq9")
), rand)

# psignrank itself on a grid (the exact distribution, both tails).
grid <- expand.grid(n = c(1, 2, 5, 12, 30, 49, 60), q = c(0, 0.1, 0.25, 0.4, 0.5, 0.75, 0.97))
grid$k <- floor(grid$q * grid$n * (grid$n + 1) / 2)
cdf <- list(n = arr(grid$n), k = arr(grid$k), p = arr(psignrank(grid$k, grid$n)))

out <- list(R = R.version.string, cases = cases, psignrank = cdf)
writeLines(to_json(out), out_file)
cat("wrote", out_file, "\n")
