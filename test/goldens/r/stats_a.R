# Goldens for src/core/stats/{descriptives,anova,proportion,samplesize,padjust,distributions}.ts
# Run from the repo root:  Rscript --vanilla test/goldens/r/stats_a.R   -> test/goldens/stats_a.json
# Inputs are written into the JSON too, so the tests read data and reference values from one file.
# Base R only (jsonlite is not installed): numbers are written with sprintf("%.17g").

num <- function(x) {
  if (length(x) != 1) stop("num() takes one value")
  if (is.na(x)) return("null")
  if (is.infinite(x)) stop("infinite value")
  sprintf("%.17g", x)
}
vec <- function(x) paste0("[", paste(vapply(x, num, ""), collapse = ", "), "]")
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
obj <- function(...) {
  fields <- list(...)
  paste0("{", paste(sprintf("%s: %s", vapply(names(fields), str, ""), unlist(fields)), collapse = ", "), "}")
}
arr <- function(items) paste0("[\n  ", paste(items, collapse = ",\n  "), "\n]")

out <- list()

## ---- descriptives ---------------------------------------------------------------------------
sleep <- read.csv("test/goldens/pspp/frequencies_data.csv")$sleep
set.seed(20240611)
descr_sets <- list(
  sleep = sleep,
  pss = c(round(rnorm(37, 19.5, 6.2)), NA, NA, NA),
  small_ties = c(3, 1, 2, 2, 5, NA, 4, 4, 4, 1),
  one = c(NA, 7.25),
  two = c(-1.5, 10),
  likert = c(rep(0, 5), rep(1, 9), rep(2, 4), rep(3, 2), NA)
)
descr <- character(0)
for (name in names(descr_sets)) {
  x <- descr_sets[[name]]
  v <- x[!is.na(x)]
  n <- length(v)
  descr <- c(descr, obj(
    name = str(name), x = vec(x), n = num(n), nMissing = num(sum(is.na(x))),
    mean = num(mean(v)), sd = num(if (n > 1) sd(v) else NA), variance = num(if (n > 1) var(v) else NA),
    se = num(if (n > 1) sd(v) / sqrt(n) else NA), min = num(min(v)), max = num(max(v)),
    sum = num(sum(v)),
    type6 = vec(quantile(v, c(0.25, 0.5, 0.75), type = 6, names = FALSE)),
    type7 = vec(quantile(v, c(0.25, 0.5, 0.75), type = 7, names = FALSE)),
    probs = vec(c(0, 0.01, 0.1, 0.333, 0.9, 0.99, 1)),
    type6_probs = vec(quantile(v, c(0, 0.01, 0.1, 0.333, 0.9, 0.99, 1), type = 6, names = FALSE)),
    type7_probs = vec(quantile(v, c(0, 0.01, 0.1, 0.333, 0.9, 0.99, 1), type = 7, names = FALSE))
  ))
}
out$descriptives <- arr(descr)

## ---- one-way ANOVA ------------------------------------------------------------------------
# Perceived Stress Scale totals by year of training (fictional, seeded), with unequal n and spread.
set.seed(42)
groups <- list(
  "Year 1" = pmin(40, pmax(0, round(rnorm(9, 17, 4.5)))),
  "Year 2" = pmin(40, pmax(0, round(rnorm(12, 20, 6.5)))),
  "Year 3" = c(pmin(40, pmax(0, round(rnorm(7, 23, 3.0)))), NA),
  "Interns" = pmin(40, pmax(0, round(rnorm(10, 21, 8.0))))
)
anova_sets <- list()
make_anova <- function(name, groups) {
  y <- unlist(groups, use.names = FALSE)
  g <- factor(rep(names(groups), vapply(groups, length, 1L)), levels = names(groups))
  keep <- !is.na(y)
  y <- y[keep]; g <- droplevels(g[keep])
  fit <- summary(aov(y ~ g))[[1]]
  fisher <- oneway.test(y ~ g, var.equal = TRUE)
  welch <- oneway.test(y ~ g, var.equal = FALSE)
  gm <- tapply(y, g, mean); gs <- tapply(y, g, sd); gn <- tapply(y, g, length)
  obj(
    name = str(name),
    groups = paste0("[", paste(vapply(groups, vec, ""), collapse = ", "), "]"),
    labels = paste0("[", paste(vapply(names(groups), str, ""), collapse = ", "), "]"),
    n = vec(as.numeric(gn)), means = vec(as.numeric(gm)), sds = vec(as.numeric(gs)),
    ssBetween = num(fit[1, "Sum Sq"]), ssWithin = num(fit[2, "Sum Sq"]),
    dfBetween = num(fit[1, "Df"]), dfWithin = num(fit[2, "Df"]),
    msBetween = num(fit[1, "Mean Sq"]), msWithin = num(fit[2, "Mean Sq"]),
    F = num(fit[1, "F value"]), p = num(fit[1, "Pr(>F)"]),
    onewayF = num(unname(fisher$statistic)), onewayP = num(fisher$p.value),
    etaSquared = num(fit[1, "Sum Sq"] / (fit[1, "Sum Sq"] + fit[2, "Sum Sq"])),
    welchF = num(unname(welch$statistic)), welchDf1 = num(unname(welch$parameter[1])),
    welchDf2 = num(unname(welch$parameter[2])), welchP = num(welch$p.value)
  )
}
anova_out <- c(
  make_anova("pss_by_year", groups),
  make_anova("two_groups", list(a = c(5.1, 4.9, 6.2, 5.8, 6.0, 5.5), b = c(6.8, 7.1, 6.5, 7.9, 7.4))),
  make_anova("five_groups", list(
    g1 = c(12, 15, 11, 14, 13, 16), g2 = c(18, 17, 21, 19), g3 = c(9, 8, 12, 10, 11, 7, 13),
    g4 = c(14.5, 15.5, 13.25, 16.75, 15), g5 = c(20, 11, 25, 8, 17, 22, 14)
  ))
)
out$anova <- arr(anova_out)

## ---- proportions: Wilson interval (prop.test without / with continuity correction) ------------
prop_cases <- list(c(23, 61, 0.95), c(0, 20, 0.95), c(20, 20, 0.95), c(1, 3, 0.9), c(117, 250, 0.99),
                   c(5, 1000, 0.95), c(61, 61, 0.8), c(34, 80, 0.95), c(1, 1, 0.95))
prop_out <- character(0)
for (cs in prop_cases) {
  x <- cs[1]; n <- cs[2]; lev <- cs[3]
  w <- suppressWarnings(prop.test(x, n, conf.level = lev, correct = FALSE))
  wc <- suppressWarnings(prop.test(x, n, conf.level = lev, correct = TRUE))
  prop_out <- c(prop_out, obj(
    x = num(x), n = num(n), level = num(lev), estimate = num(unname(w$estimate)),
    lower = num(w$conf.int[1]), upper = num(w$conf.int[2]),
    lowerCC = num(wc$conf.int[1]), upperCC = num(wc$conf.int[2])
  ))
}
# share at or above a threshold: PHQ-9 totals with missing values, threshold 10
phq <- c(4, 12, 9, 10, 15, NA, 3, 22, 7, 10, 11, NA, 0, 6, 18, 9, 10, 2, 14, 5)
v <- phq[!is.na(phq)]
w <- prop.test(sum(v >= 10), length(v), correct = FALSE)
out$proportion <- arr(prop_out)
out$threshold <- obj(
  x = vec(phq), threshold = num(10), count = num(sum(v >= 10)), n = num(length(v)),
  estimate = num(unname(w$estimate)), lower = num(w$conf.int[1]), upper = num(w$conf.int[2])
)

## ---- sample size -------------------------------------------------------------------------------
ss_cases <- list(
  list(delta = 0.5, sd = 1, sig = 0.05, power = 0.8, type = "two.sample", alt = "two.sided", strict = FALSE),
  list(delta = 5, sd = 10, sig = 0.05, power = 0.9, type = "two.sample", alt = "two.sided", strict = FALSE),
  list(delta = 0.2, sd = 1, sig = 0.05, power = 0.8, type = "two.sample", alt = "two.sided", strict = FALSE),
  list(delta = 1.5, sd = 1, sig = 0.01, power = 0.95, type = "two.sample", alt = "two.sided", strict = FALSE),
  list(delta = 3, sd = 7.5, sig = 0.05, power = 0.8, type = "two.sample", alt = "one.sided", strict = FALSE),
  list(delta = 0.4, sd = 1, sig = 0.05, power = 0.8, type = "one.sample", alt = "two.sided", strict = FALSE),
  list(delta = 0.4, sd = 1, sig = 0.05, power = 0.8, type = "paired", alt = "one.sided", strict = FALSE),
  list(delta = 2, sd = 1, sig = 0.05, power = 0.8, type = "two.sample", alt = "two.sided", strict = TRUE),
  list(delta = 0.8, sd = 1, sig = 0.1, power = 0.5, type = "two.sample", alt = "two.sided", strict = TRUE)
)
ss_out <- character(0)
for (cs in ss_cases) {
  tight <- power.t.test(delta = cs$delta, sd = cs$sd, sig.level = cs$sig, power = cs$power,
                        type = cs$type, alternative = cs$alt, strict = cs$strict, tol = 1e-13)
  dflt <- power.t.test(delta = cs$delta, sd = cs$sd, sig.level = cs$sig, power = cs$power,
                       type = cs$type, alternative = cs$alt, strict = cs$strict)
  pw <- power.t.test(n = 20, delta = cs$delta, sd = cs$sd, sig.level = cs$sig,
                     type = cs$type, alternative = cs$alt, strict = cs$strict)
  ss_out <- c(ss_out, obj(
    delta = num(cs$delta), sd = num(cs$sd), sigLevel = num(cs$sig), power = num(cs$power),
    type = str(cs$type), alternative = str(cs$alt), strict = if (cs$strict) "true" else "false",
    n = num(tight$n), nDefaultTol = num(dflt$n), nCeiling = num(ceiling(dflt$n)),
    powerAt20 = num(pw$power)
  ))
}
out$powerT <- arr(ss_out)
out$proportionSampleSize <- obj(
  p = num(0.425), d = num(0.07), z = num(qnorm(0.975)),
  n0 = num(qnorm(0.975)^2 * 0.425 * 0.575 / 0.07^2),
  n = num(ceiling(qnorm(0.975)^2 * 0.425 * 0.575 / 0.07^2)),
  nFpc500 = num(ceiling({ n0 <- qnorm(0.975)^2 * 0.425 * 0.575 / 0.07^2; n0 / (1 + (n0 - 1) / 500) }))
)

## ---- noncentral t ---------------------------------------------------------------------------
nct_cases <- list(c(2, 10, 1), c(-1, 10, 1), c(3.5, 25.3, 2.2), c(1.9720174778338955, 126, 2.8284271247461903),
                  c(0.5, 3, 1.5), c(-0.5, 7, -2), c(4, 60, 3), c(2.5, 40, 1.2), c(1, 200, 0.3),
                  c(6, 15, 5), c(-2.2, 30, -1), c(0, 12, 1.7), c(2.0, 4.5, -0.7))
nct_out <- character(0)
for (cs in nct_cases) {
  nct_out <- c(nct_out, obj(
    t = num(cs[1]), df = num(cs[2]), ncp = num(cs[3]),
    lower = num(pt(cs[1], cs[2], cs[3])), upper = num(pt(cs[1], cs[2], cs[3], lower.tail = FALSE))
  ))
}
out$nct <- arr(nct_out)

## ---- p.adjust ---------------------------------------------------------------------------------
p_sets <- list(
  simple = c(0.01, 0.04, 0.03, 0.005, 0.2),
  ties = c(0.02, 0.02, 0.001, 0.04, 0.04, 0.04, 0.5, 0.0001, 0.02),
  with_na = c(0.03, NA, 0.001, 0.2, NA, 0.049, 0.012),
  large = c(0.9, 0.95, 0.6, 0.7, 0.99, 1),
  tiny = c(1e-10, 3.3e-8, 2.5e-12, 0.0004, 0.04, 0.011, 0.013, 0.013, 0.8, 0.7777, 0.03)
)
padj <- character(0)
for (name in names(p_sets)) {
  p <- p_sets[[name]]
  padj <- c(padj, obj(
    name = str(name), p = vec(p),
    holm = vec(p.adjust(p, "holm")), BH = vec(p.adjust(p, "BH")), bonferroni = vec(p.adjust(p, "bonferroni")),
    nTests = num(sum(!is.na(p)) + 3),
    holmN = vec(p.adjust(p, "holm", n = sum(!is.na(p)) + 3)), bonferroniN = vec(p.adjust(p, "bonferroni", n = sum(!is.na(p)) + 3)), BHN = vec(p.adjust(p, "BH", n = sum(!is.na(p)) + 3))
  ))
}
out$padjust <- arr(padj)


## ---- densities and upper-tail quantiles ----------------------------------------------------
dens_out <- character(0)
for (cs in list(c(0.3, 4), c(-2.5, 17.776), c(12, 3), c(1.5, 250), c(-40, 1000))) {
  dens_out <- c(dens_out, obj(kind = str("t"), x = num(cs[1]), df = num(cs[2]), ref = num(dt(cs[1], cs[2]))))
}
for (cs in list(c(0.7, 4, 20), c(3.2, 1, 46), c(21, 8, 180), c(0.05, 2, 9), c(1.1, 30, 30))) {
  dens_out <- c(dens_out, obj(kind = str("f"), x = num(cs[1]), df1 = num(cs[2]), df2 = num(cs[3]),
                              ref = num(df(cs[1], cs[2], cs[3]))))
}
for (cs in list(c(3.84, 1), c(0.2, 3), c(100, 5), c(30, 30))) {
  dens_out <- c(dens_out, obj(kind = str("chi2"), x = num(cs[1]), df = num(cs[2]), ref = num(dchisq(cs[1], cs[2]))))
}
for (z in c(0, -1.3, 4, 37)) dens_out <- c(dens_out, obj(kind = str("normal"), x = num(z), ref = num(dnorm(z))))
out$densities <- arr(dens_out)

qu_out <- character(0)
for (cs in list(c(1e-10, 5), c(1e-20, 2.5), c(0.025, 17.776), c(1e-100, 30), c(0.3, 1), c(0.9, 12))) {
  qu_out <- c(qu_out, obj(kind = str("t"), q = num(cs[1]), df = num(cs[2]),
                          ref = num(qt(cs[1], cs[2], lower.tail = FALSE))))
}
for (cs in list(c(1e-10, 3, 40), c(0.05, 4, 20), c(1e-30, 1, 10), c(0.5, 6, 6), c(0.99, 2, 50))) {
  qu_out <- c(qu_out, obj(kind = str("f"), q = num(cs[1]), df1 = num(cs[2]), df2 = num(cs[3]),
                          ref = num(qf(cs[1], cs[2], cs[3], lower.tail = FALSE)),
                          lowerRef = num(qf(cs[1], cs[2], cs[3]))))
}
for (cs in list(c(1e-10, 1), c(0.05, 4), c(1e-50, 10), c(0.999, 7))) {
  qu_out <- c(qu_out, obj(kind = str("chi2"), q = num(cs[1]), df = num(cs[2]),
                          ref = num(qchisq(cs[1], cs[2], lower.tail = FALSE)),
                          lowerRef = num(qchisq(cs[1], cs[2]))))
}
for (q in c(1e-300, 1e-20, 0.2, 0.7)) {
  qu_out <- c(qu_out, obj(kind = str("normal"), q = num(q), ref = num(qnorm(q, lower.tail = FALSE))))
}
out$quantileUpper <- arr(qu_out)

## ---- write ---------------------------------------------------------------------------------
json <- paste0(
  "{\n", paste(sprintf("%s: %s", vapply(names(out), str, ""), unlist(out)), collapse = ",\n"), "\n}\n"
)
writeLines(json, "test/goldens/stats_a.json", sep = "")
cat("wrote test/goldens/stats_a.json\n")
