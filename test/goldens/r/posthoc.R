# Golden values for src/core/stats/{studentizedrange,posthoc,kruskal}.ts
# Run from the repository root:  Rscript --vanilla test/goldens/r/posthoc.R
# Writes test/goldens/posthoc.json. Base R only (stats).
#
# Data: PlantGrowth, warpbreaks and ToothGrowth from R's datasets package, exported once to test/goldens/pspp/
# (see the README there); posthoc_sim.csv is simulated here once (seeded). A file that exists is read, never rewritten.
data_dir <- "test/goldens/pspp"
out_file <- "test/goldens/posthoc.json"
source("test/goldens/r/lib/json.R")
source("test/goldens/r/lib/data.R")  # write_if_absent()
pg <- write_if_absent(datasets::PlantGrowth, "plantgrowth.csv")
wb <- write_if_absent(datasets::warpbreaks, "warpbreaks.csv")
tg <- write_if_absent(datasets::ToothGrowth, "toothgrowth.csv")
set.seed(4711)
grp <- rep(c("low", "mid", "high", "top"), c(12, 25, 18, 7))
score <- round(c(rnorm(12, 10, 2), rnorm(25, 12, 4), rnorm(18, 11, 1), rnorm(7, 16, 6)), 2)
score[c(3, 30)] <- NA
sim <- write_if_absent(data.frame(group = grp, score = score), "posthoc_sim.csv")

# ---------------------------------------------------------------------------------------------------------------------
# Studentized range: R's ptukey on a grid. R's ptukey integrates with fixed Gauss-Legendre panels and is accurate to
# 3-13 digits (see test/goldens/reference/ptukey-mpmath.py for the 30-digit reference the tests hold us to); qtukey
# is also given as the root of R's own ptukey (uniroot, tol 1e-15), as R's qtukey stops its secant at |dq| < 1e-4.
grid <- expand.grid(q = c(1, 3, 5), k = c(3, 10), df = c(3, 10, 30, 1000, Inf))
grid$lower <- mapply(function(q, k, df) ptukey(q, k, df), grid$q, grid$k, grid$df)
grid$upper <- mapply(function(q, k, df) ptukey(q, k, df, lower.tail = FALSE), grid$q, grid$k, grid$df)
qtukey_exact <- function(p, k, df) uniroot(function(q) ptukey(q, k, df) - p, c(1e-3, 60), tol = 1e-15)$root
qgrid <- expand.grid(p = c(0.05, 0.95, 0.99), k = c(3, 12), df = 10)
qgrid$q <- mapply(qtukey_exact, qgrid$p, qgrid$k, qgrid$df)
qgrid$q_r <- mapply(qtukey, qgrid$p, qgrid$k, qgrid$df)

# ---------------------------------------------------------------------------------------------------------------------
tukey_golden <- function(y, g) {
  g <- factor(g)
  fit <- aov(y ~ g)
  t <- TukeyHSD(fit, conf.level = 0.95)$g
  n <- tapply(!is.na(y), g, sum)
  mse <- sum(residuals(fit)^2) / fit$df.residual
  k <- nlevels(g)
  qcrit <- qtukey_exact(0.95, k, fit$df.residual)
  # the interval again with the exact quantile (TukeyHSD uses qtukey, accurate to ~1e-4 in q)
  se2 <- sqrt(mse / 2 * outer(1 / n, 1 / n, "+"))[lower.tri(diag(k))]
  list(levels = levels(g), comparisons = rownames(t), diff = arr(unname(t[, "diff"])),
       lwr_r = arr(unname(t[, "lwr"])), upr_r = arr(unname(t[, "upr"])),
       lwr = arr(unname(t[, "diff"] - qcrit * se2)), upr = arr(unname(t[, "diff"] + qcrit * se2)),
       p = arr(unname(t[, "p adj"])), q = arr(unname(abs(t[, "diff"]) / se2)), df = fit$df.residual)
}
# Games-Howell from its formula (rstatix::games_howell_test is not packaged for Debian; this is its computation)
games_howell_golden <- function(y, g) {
  g <- factor(g)
  k <- nlevels(g)
  lev <- levels(g)
  out <- list(diff = c(), se = c(), q = c(), df = c(), p = c(), lwr = c(), upr = c(), names = c())
  for (i in 1:(k - 1)) for (j in (i + 1):k) {
    x <- y[g == lev[i] & !is.na(y)]
    z <- y[g == lev[j] & !is.na(y)]
    vx <- var(x) / length(x)
    vz <- var(z) / length(z)
    d <- mean(z) - mean(x)
    se <- sqrt(vx + vz)
    df <- (vx + vz)^2 / (vx^2 / (length(x) - 1) + vz^2 / (length(z) - 1))
    q <- abs(d) / (se / sqrt(2))
    qc <- qtukey_exact(0.95, k, df)
    out$names <- c(out$names, paste(lev[j], lev[i], sep = "-"))
    out$diff <- c(out$diff, d); out$se <- c(out$se, se); out$q <- c(out$q, q); out$df <- c(out$df, df)
    out$p <- c(out$p, ptukey(q, k, df, lower.tail = FALSE))
    out$lwr <- c(out$lwr, d - qc * se / sqrt(2)); out$upr <- c(out$upr, d + qc * se / sqrt(2))
  }
  lapply(out, function(v) if (is.numeric(v)) arr(v) else v)
}
kruskal_golden <- function(y, g) {
  g <- factor(g)
  kt <- kruskal.test(y ~ g)
  ok <- !is.na(y)
  n <- sum(ok)
  h <- unname(kt$statistic)
  list(levels = levels(g), statistic = h, df = unname(kt$parameter), p = kt$p.value, n = n,
       epsilon2 = h / ((n^2 - 1) / (n + 1)), eta2h = (h - nlevels(g) + 1) / (n - nlevels(g)),
       mean_ranks = arr(unname(tapply(rank(y[ok]), g[ok], mean))))
}
data_sets <- list(
  plantgrowth = list(y = pg$weight, g = pg$group),
  warpbreaks = list(y = wb$breaks, g = wb$tension),
  toothgrowth = list(y = tg$len, g = tg$dose),
  sim = list(y = sim$score, g = sim$group)
)
out <- list(
  ptukey = list(q = arr(grid$q), k = arr(grid$k), df = arr(grid$df), lower = arr(grid$lower), upper = arr(grid$upper)),
  qtukey = list(p = arr(qgrid$p), k = arr(qgrid$k), df = arr(qgrid$df), q = arr(qgrid$q), q_r = arr(qgrid$q_r)),
  tukey = lapply(data_sets, function(d) tukey_golden(d$y, d$g)),
  games_howell = lapply(data_sets, function(d) games_howell_golden(d$y, d$g)),
  kruskal = lapply(data_sets, function(d) kruskal_golden(d$y, d$g))
)
writeLines(to_json(out), out_file)
cat("wrote", out_file, "\n")
