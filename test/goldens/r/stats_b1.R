# Goldens for src/core/stats/{ttest,levene,effectsize,mannwhitney}.ts.
# Run from the repository root:  Rscript --vanilla test/goldens/r/stats_b1.R
# Writes test/goldens/stats_b1.json. Base R only (stats); car, if installed, is used only as a cross-check.
#
# Reference functions:
#   t-tests        stats::t.test (var.equal = TRUE / FALSE, paired, one-sample)
#   Levene         anova (lm) of |x - group centre| by group — centre mean (SPSS) or median (car::leveneTest)
#   Cohen's d / g  by formula; Hedges' J exact = sqrt(pi) / (beta((df-1)/2, 1/2) * sqrt(df/2)), which R computes
#                  via lbeta without the cancellation of lgamma(df/2) - lgamma((df-1)/2) at large df
#   d CI           noncentral t inversion with uniroot(tol = 1e-14) on stats::pt(t, df, ncp), as MBESS::ci.smd
#   d/g normal CI  est +- z * sqrt(1/n1 + 1/n2 + est^2 / (2 (n1 + n2)))  (Hedges & Olkin 1985)
#   Mann-Whitney   stats::wilcox.test (exact, correct); z and rank sums by R's own formulas, checked against
#                  the p-value wilcox.test returns
options(warn = 1)

# ---- minimal JSON writer (jsonlite is not assumed) --------------------------------------------------------
num <- function(x) {
  if (is.na(x)) return("null")
  if (is.infinite(x)) return(if (x > 0) "\"Inf\"" else "\"-Inf\"")
  sprintf("%.17g", x)
}
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      parts <- vapply(names(x), function(k) paste0("\"", k, "\": ", to_json(x[[k]])), "")
      return(paste0("{", paste(parts, collapse = ", "), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ", "), "]"))
  }
  arr <- inherits(x, "AsIs") || length(x) != 1
  if (is.character(x)) {
    v <- paste0("\"", gsub("\"", "\\\\\"", x), "\"")
  } else if (is.logical(x)) {
    v <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    v <- vapply(as.numeric(x), num, "")
  }
  if (arr) paste0("[", paste(v, collapse = ", "), "]") else v
}
arr <- function(x) I(x)
ci_of <- function(ci) list(lower = ci[1], upper = ci[2])

# ---- t-tests ----------------------------------------------------------------------------------------------
tt_row <- function(r) {
  list(t = unname(r$statistic), df = unname(r$parameter), p = r$p.value,
       estimate = if (length(r$estimate) == 2) unname(r$estimate[1] - r$estimate[2]) else unname(r$estimate),
       se = r$stderr, ci = ci_of(r$conf.int))
}
grp <- function(v) {
  v <- v[!is.na(v)]
  list(n = length(v), mean = mean(v), sd = sd(v), se = sd(v) / sqrt(length(v)))
}
levene_by_hand <- function(groups, centre) {
  z <- unlist(lapply(groups, function(v) { v <- v[!is.na(v)]; abs(v - centre(v)) }))
  g <- factor(unlist(lapply(seq_along(groups), function(i) rep(i, sum(!is.na(groups[[i]]))))))
  a <- anova(lm(z ~ g))
  list(F = a[1, "F value"], df1 = a[1, "Df"], df2 = a[2, "Df"], p = a[1, "Pr(>F)"])
}
levene_pair <- function(groups) {
  res <- list(mean = levene_by_hand(groups, mean), median = levene_by_hand(groups, median))
  if (requireNamespace("car", quietly = TRUE)) {
    y <- unlist(groups); g <- factor(rep(seq_along(groups), lengths(groups)))
    for (ctr in c("mean", "median")) {
      cl <- suppressWarnings(car::leveneTest(y, g, center = ctr))
      stopifnot(isTRUE(all.equal(cl[1, "F value"], res[[ctr]]$F, tolerance = 1e-13)))
    }
  }
  res
}

ttest_case <- function(name, x, y, alternative = "two.sided", conf.level = 0.95, mu = 0) {
  s <- t.test(x, y, alternative = alternative, conf.level = conf.level, mu = mu, var.equal = TRUE)
  w <- t.test(x, y, alternative = alternative, conf.level = conf.level, mu = mu, var.equal = FALSE)
  list(name = name, x = arr(x), y = arr(y), alternative = alternative, confLevel = conf.level, mu = mu,
       groups = list(grp(x), grp(y)), student = tt_row(s), welch = tt_row(w), levene = levene_pair(list(x, y)))
}

d_tt <- read.table("test/goldens/pspp/ttest_data.txt", na.strings = ".")
px <- d_tt$V2[d_tt$V1 == 1]; py <- d_tt$V2[d_tt$V1 == 2]

set.seed(20240501)
r1x <- round(rnorm(23, 10, 2), 3); r1y <- round(rnorm(31, 11, 3.5), 3)
set.seed(20240502)
lx <- round(pmin(5, pmax(1, rnorm(800, 3.2, 0.9))) * 4) / 4
ly <- round(pmin(5, pmax(1, rnorm(1200, 3.0, 1.1))) * 4) / 4
# a large offset: the variance must not be lost to cancellation
set.seed(20240503)
ox <- 1e6 + round(rnorm(40, 0, 1), 4); oy <- 1e6 + round(rnorm(35, 0.4, 1.5), 4)

ttests <- list(
  ttest_case("pspp", px, py),
  ttest_case("pspp_ci90", px, py, conf.level = 0.90),
  ttest_case("random_two_sided", r1x, r1y),
  ttest_case("random_less_mu", r1x, r1y, alternative = "less", mu = -0.5),
  ttest_case("random_greater_ci90", r1x, r1y, alternative = "greater", conf.level = 0.9),
  ttest_case("likert_large", lx, ly),
  ttest_case("offset_1e6", ox, oy)
)

one_sample <- lapply(list(
  list("pspp_testval", c(px, py), 22.5, "two.sided", 0.95),
  list("random_less", r1x, 10.8, "less", 0.95),
  list("random_greater", r1x, 9.2, "greater", 0.99)
), function(a) {
  r <- t.test(a[[2]], mu = a[[3]], alternative = a[[4]], conf.level = a[[5]])
  c(list(name = a[[1]], x = arr(a[[2]]), mu = a[[3]], alternative = a[[4]], confLevel = a[[5]],
         sample = grp(a[[2]])), tt_row(r))
})

d_pr <- read.table("test/goldens/pspp/ttest_paired.txt", na.strings = ".")
paired <- lapply(list(
  list("pspp_pairs", d_pr$V1, d_pr$V2, "two.sided", 0.95, 0),
  list("pspp_pairs_greater_mu", d_pr$V1, d_pr$V2, "greater", 0.9, 1.5)
), function(a) {
  ok <- !is.na(a[[2]]) & !is.na(a[[3]])
  r <- t.test(a[[2]], a[[3]], paired = TRUE, alternative = a[[4]], conf.level = a[[5]], mu = a[[6]])
  c(list(name = a[[1]], x = arr(a[[2]]), y = arr(a[[3]]), alternative = a[[4]], confLevel = a[[5]], mu = a[[6]],
         differences = grp(a[[2]][ok] - a[[3]][ok])), tt_row(r))
})

# ---- t-tests from summary statistics ----------------------------------------------------------------------
# t.test on two samples constructed to have exactly the given n, mean and SD.
with_moments <- function(n, m, s) {
  z <- seq_len(n) - (n + 1) / 2
  m + s * z / sd(z)
}
summary_t <- function(name, a, b, paper_p = NA) {
  # closed form (the same formulas t.test uses), and t.test on constructed data as a check
  va <- a[3]^2; vb <- b[3]^2; na <- a[1]; nb <- b[1]
  sp2 <- ((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)
  se_s <- sqrt(sp2 * (1 / na + 1 / nb)); df_s <- na + nb - 2
  qa <- va / na; qb <- vb / nb
  se_w <- sqrt(qa + qb); df_w <- (qa + qb)^2 / (qa^2 / (na - 1) + qb^2 / (nb - 1))
  est <- a[2] - b[2]
  row <- function(se, df) {
    t <- est / se; q <- qt(0.975, df)
    list(t = t, df = df, p = 2 * pt(-abs(t), df), estimate = est, se = se, ci = list(lower = est - q * se, upper = est + q * se))
  }
  s <- row(se_s, df_s); w <- row(se_w, df_w)
  chk <- t.test(with_moments(na, a[2], a[3]), with_moments(nb, b[2], b[3]))
  stopifnot(isTRUE(all.equal(unname(chk$statistic), w$t, tolerance = 1e-12)))
  list(name = name, x = list(n = na, mean = a[2], sd = a[3]), y = list(n = nb, mean = b[2], sd = b[3]),
       paperP = paper_p, student = s, welch = w)
}
# Seed paper, Table 3: Postgraduate (n = 158) vs Undergraduate (n = 59).
# Result (printed below when the script runs): Student's pooled test (df = 215) gives p = 0.0225, 0.2855, 0.0526,
# 0.0549 — the paper's 0.022, 0.286, 0.053, 0.055 — while Welch gives 0.0249, 0.2983, 0.0648, 0.0628.
# So the paper reports the equal-variances (Student) row.
summaries <- list(
  summary_t("paper_instrumental", c(158, 1.0866, 0.53186), c(59, 0.899, 0.54317), 0.022),
  summary_t("paper_stigma", c(158, 1.0263, 0.64201), c(59, 0.9199, 0.67606), 0.286),
  summary_t("paper_attitudinal", c(158, 1.216, 0.48726), c(59, 1.0672, 0.53461), 0.053),
  summary_t("paper_overall", c(158, 1.1145, 0.49564), c(59, 0.9663, 0.52356), 0.055),
  summary_t("unequal_sd", c(12, 5.2, 0.4), c(40, 4.1, 2.9))
)
for (s in summaries[1:4]) {
  cat(sprintf("%-20s Student t = %.4f df = %d p = %.4f | Welch t = %.4f df = %.2f p = %.4f | paper p = %.3f\n",
              s$name, s$student$t, s$student$df, s$student$p, s$welch$t, s$welch$df, s$welch$p, s$paperP))
}

# ---- Levene, k >= 2 ---------------------------------------------------------------------------------------
set.seed(20240504)
lv3 <- list(round(rnorm(9, 5, 1), 2), round(rnorm(14, 5.5, 2.2), 2), round(rnorm(20, 4.8, 1.4), 2))
lv4 <- list(c(1, 2, 2, 3, 3, 3, 4, 5), c(2, 2, 2, 3), c(1, 1, 5, 5, 5, 1, 3), c(4, 4, 4, 4, 5, 3))
levenes <- list(
  c(list(name = "pspp_k2", groups = list(arr(px), arr(py))), levene_pair(list(px, py))),
  c(list(name = "random_k3", groups = lapply(lv3, arr)), levene_pair(lv3)),
  c(list(name = "ties_k4", groups = lapply(lv4, arr)), levene_pair(lv4))
)

# ---- Effect sizes -----------------------------------------------------------------------------------------
J_exact <- function(df) sqrt(pi) / (beta((df - 1) / 2, 1 / 2) * sqrt(df / 2))
J_approx <- function(df) 1 - 3 / (4 * df - 1)
for (df in c(2, 3, 7.5, 30, 150)) {
  stopifnot(isTRUE(all.equal(J_exact(df), gamma(df / 2) / (sqrt(df / 2) * gamma((df - 1) / 2)), tolerance = 1e-14)))
}
nct_limit <- function(t, df, p) {
  f <- function(ncp) suppressWarnings(pt(t, df, ncp)) - p
  uniroot(f, c(t - 2, t + 2), extendInt = "yes", tol = 1e-14, maxiter = 10000)$root
}
# An accurate noncentral t CDF, independent of pt's series (whose error is up to ~1e-12): numerical integration
# of P(T <= t) = E[ pnorm(t sqrt(U/df) - ncp) ], U ~ chi-square(df), over the central 1 - 2e-22 of U, in pieces
# between chi-square quantiles (checked against a 30-digit mpmath quadrature: 13-16 correct digits).
pt_accurate <- function(t, df, ncp) {
  qs <- c(qchisq(c(1e-22, 1e-12, 1e-6, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-6), df),
          qchisq(c(1e-12, 1e-22), df, lower.tail = FALSE))
  f <- function(u) pnorm(t * sqrt(u / df) - ncp) * dchisq(u, df)
  s <- 0
  for (i in seq_len(length(qs) - 1)) {
    s <- s + integrate(f, qs[i], qs[i + 1], rel.tol = 1.2e-14, abs.tol = 1e-19, subdivisions = 2000L)$value
  }
  s
}
nct_limit_accurate <- function(t, df, p) {
  uniroot(function(ncp) pt_accurate(t, df, ncp) - p, c(t - 2, t + 2), extendInt = "yes", tol = 1e-14,
          maxiter = 10000)$root
}
smd_case <- function(name, a, b, conf = 0.95, accurate = FALSE) {
  na <- a[1]; nb <- b[1]; df <- na + nb - 2
  sp <- sqrt(((na - 1) * a[3]^2 + (nb - 1) * b[3]^2) / df)
  d <- (a[2] - b[2]) / sp
  root <- sqrt(1 / na + 1 / nb)
  t <- d / root
  alpha <- 1 - conf
  d_nct <- c(nct_limit(t, df, 1 - alpha / 2), nct_limit(t, df, alpha / 2)) * root
  z <- qnorm(1 - alpha / 2)
  ho <- function(e) { se <- sqrt(1 / na + 1 / nb + e^2 / (2 * (na + nb))); c(e - z * se, e + z * se) }
  je <- J_exact(df); ja <- J_approx(df)
  d_acc <- if (accurate) ci_of(c(nct_limit_accurate(t, df, 1 - alpha / 2), nct_limit_accurate(t, df, alpha / 2)) * root)
  list(name = name, x = list(n = na, mean = a[2], sd = a[3]), y = list(n = nb, mean = b[2], sd = b[3]),
       confLevel = conf, df = df, pooledSd = sp, d = d,
       dCiNct = ci_of(d_nct), dCiNctAccurate = d_acc, dCiNormal = ci_of(ho(d)),
       jExact = je, jApprox = ja,
       gExact = je * d, gExactCiNct = ci_of(je * d_nct), gExactCiNormal = ci_of(ho(je * d)),
       gApprox = ja * d, gApproxCiNct = ci_of(ja * d_nct), gApproxCiNormal = ci_of(ho(ja * d)))
}
smds <- list(
  smd_case("paper_instrumental", c(158, 1.0866, 0.53186), c(59, 0.899, 0.54317), accurate = TRUE),
  smd_case("paper_overall", c(158, 1.1145, 0.49564), c(59, 0.9663, 0.52356), accurate = TRUE),
  smd_case("small_n", c(6, 12.1, 2.3), c(5, 9.4, 3.1), accurate = TRUE),
  smd_case("tiny_df2", c(2, 3.0, 1.0), c(2, 1.5, 0.5), accurate = TRUE),
  smd_case("negative_ci90", c(25, 48.2, 10.5), c(31, 55.0, 9.1), conf = 0.90, accurate = TRUE),
  smd_case("large_effect", c(15, 30, 4), c(15, 18, 5), accurate = TRUE),
  smd_case("df_1e4", c(5001, 0.52, 1.01), c(5001, 0.47, 0.98), accurate = TRUE),
  smd_case("df_2e5", c(100001, 3.012, 1.1), c(100001, 3.0, 1.05)),
  smd_case("df_over_4e5_normal_branch", c(400000, 2.51, 1.0), c(600000, 2.5, 1.02)),
  smd_case("ncp_32_36_long_series", c(900, 1.6, 1.0), c(900, 0.0, 1.0)),
  smd_case("ncp_over_37_normal_branch", c(1500, 1.6, 1.0), c(1500, 0.0, 1.0))
)
# d and g from raw data
smd_raw <- local({
  s <- smd_case("random_raw", c(length(r1x), mean(r1x), sd(r1x)), c(length(r1y), mean(r1y), sd(r1y)))
  s$x <- arr(r1x); s$y <- arr(r1y); s
})
# noncentral t CDF, centre of the distribution (where R's pt has ~13 correct digits)
nct_grid <- expand.grid(t = c(-2.2, -0.4, 0.5, 1.9, 3.3, 8), df = c(2, 7.5, 40, 300, 5000), ncp = c(-1.2, 0.3, 2.5, 7))
nct_grid$p <- mapply(function(t, df, ncp) suppressWarnings(pt(t, df, ncp)), nct_grid$t, nct_grid$df, nct_grid$ncp)
nct_grid <- nct_grid[nct_grid$p > 0.02 & nct_grid$p < 0.98, ]
nct_branch <- data.frame(t = c(2, -1, 45, 50, -39), df = c(5e5, 1e6, 100, 2000, 50), ncp = c(1.5, -0.7, 40, 52, -38.5))
nct_branch$p <- mapply(function(t, df, ncp) suppressWarnings(pt(t, df, ncp)), nct_branch$t, nct_branch$df, nct_branch$ncp)
nct_rows <- function(g) lapply(seq_len(nrow(g)), function(i) list(t = g$t[i], df = g$df[i], ncp = g$ncp[i], p = g$p[i]))

# ---- Mann-Whitney / Wilcoxon rank-sum ---------------------------------------------------------------------
mw_case <- function(name, x, y, alternative = "two.sided", exact = NULL, correct = TRUE) {
  warn <- NULL
  r <- withCallingHandlers(
    wilcox.test(x, y, alternative = alternative, exact = exact, correct = correct),
    warning = function(w) { warn <<- conditionMessage(w); invokeRestart("muffleWarning") })
  xx <- x[!is.na(x)]; yy <- y[!is.na(y)]
  n1 <- length(xx); n2 <- length(yy); N <- n1 + n2
  rk <- rank(c(xx, yy))
  nt <- table(rk)
  W <- sum(rk[seq_len(n1)]) - n1 * (n1 + 1) / 2
  stopifnot(W == unname(r$statistic))
  sigma <- sqrt((n1 * n2 / 12) * ((N + 1) - sum(nt^3 - nt) / (N * (N - 1))))
  zc <- W - n1 * n2 / 2
  corr <- if (correct) switch(alternative, two.sided = sign(zc) * 0.5, greater = 0.5, less = -0.5) else 0
  z <- (zc - corr) / sigma
  p_asym <- switch(alternative, less = pnorm(z), greater = pnorm(z, lower.tail = FALSE),
                   two.sided = min(1, 2 * min(pnorm(z), pnorm(z, lower.tail = FALSE))))
  is_exact <- grepl("exact", r$method) # "Wilcoxon rank sum exact test"
  if (!is_exact) stopifnot(isTRUE(all.equal(p_asym, r$p.value, tolerance = 1e-14)))
  list(name = name, x = arr(x), y = arr(y), alternative = alternative,
       exact = if (is.null(exact)) "auto" else exact, correct = correct,
       W = unname(r$statistic), p = r$p.value, pIsExact = is_exact, warning = warn, method = r$method,
       z = z, pAsymptotic = p_asym, rankSums = arr(c(sum(rk[seq_len(n1)]), sum(rk[n1 + seq_len(n2)]))),
       n = arr(c(n1, n2)), tieSum = sum(nt^3 - nt), r = z / sqrt(N))
}
d_mw <- read.table("test/goldens/pspp/mannwhitney_data.txt", na.strings = ".")
mx1 <- d_mw$V2[d_mw$V1 == 1]; mx2 <- d_mw$V2[d_mw$V1 == 2]
my1 <- d_mw$V3[d_mw$V1 == 1]; my2 <- d_mw$V3[d_mw$V1 == 2]
set.seed(20240505)
s1 <- round(rnorm(7), 4); s2 <- round(rnorm(9, 0.8), 4)
m1 <- round(rnorm(49), 6); m2 <- round(rnorm(45, 0.35), 6)
b1 <- round(rnorm(60), 6); b2 <- round(rnorm(70, 0.3), 6)
e1 <- round(rnorm(55), 6); e2 <- round(rnorm(62, 0.3), 6)
k1 <- sample(1:5, 300, TRUE, prob = c(.1, .2, .3, .25, .15)); k2 <- sample(1:5, 400, TRUE, prob = c(.15, .25, .3, .2, .1))
stopifnot(!anyDuplicated(c(s1, s2)), !anyDuplicated(c(m1, m2)), !anyDuplicated(c(b1, b2)), !anyDuplicated(c(e1, e2)))
mws <- list(
  mw_case("pspp_x_ties_correct", mx1, mx2),
  mw_case("pspp_x_ties_nocorrect", mx1, mx2, correct = FALSE),
  mw_case("pspp_y_exact", my1, my2),
  mw_case("pspp_y_asym_nocorrect", my1, my2, exact = FALSE, correct = FALSE),
  mw_case("small_exact_two_sided", s1, s2),
  mw_case("small_exact_less", s1, s2, alternative = "less"),
  mw_case("small_exact_greater", s1, s2, alternative = "greater"),
  mw_case("small_exact_swapped", s2, s1),
  mw_case("small_asym_less_correct", s1, s2, alternative = "less", exact = FALSE),
  mw_case("small_asym_greater_correct", s1, s2, alternative = "greater", exact = FALSE),
  mw_case("n49_45_exact_auto", m1, m2),
  mw_case("n60_70_auto_normal", b1, b2),
  mw_case("n55_62_exact_true", e1, e2, exact = TRUE),
  mw_case("n55_62_exact_true_greater", e1, e2, alternative = "greater", exact = TRUE),
  mw_case("ties_exact_true_fallback", mx1, mx2, exact = TRUE),
  mw_case("likert_large_correct", k1, k2),
  mw_case("likert_large_nocorrect", k1, k2, correct = FALSE)
)

out <- list(
  generated_by = "test/goldens/r/stats_b1.R",
  r_version = R.version.string,
  ttests = ttests, oneSample = one_sample, paired = paired, summaries = summaries,
  levene = levenes,
  smd = smds, smdRaw = smd_raw, nctCentre = nct_rows(nct_grid), nctBranch = nct_rows(nct_branch),
  mannWhitney = mws
)
writeLines(to_json(out), "test/goldens/stats_b1.json")
cat("wrote test/goldens/stats_b1.json\n")
