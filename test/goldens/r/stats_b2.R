# Golden values for src/core/stats/{crosstab,correlation,reliability}.ts
# Run from the repository root:  Rscript --vanilla test/goldens/r/stats_b2.R
# Writes test/goldens/stats_b2.json. Needs R >= 4.2 and psych 2.2.9.
#
# The data files test/goldens/pspp/{crosstab,correlation,reliability}.csv are generated here once (seeded) and then
# checked in: if a file exists it is read, never rewritten, so R, PSPP and the TypeScript tests all read the same bytes.
suppressPackageStartupMessages(library(psych))
stopifnot(as.character(packageVersion("psych")) == "2.2.9")

data_dir <- "test/goldens/pspp"
out_file <- "test/goldens/stats_b2.json"

source("test/goldens/r/lib/json.R")  # to_json(), arr()

# ---------------------------------------------------------------------------------------------------------------------
# Data (generated once, then read from the checked-in CSV files).
write_if_absent <- function(df, name) {
  path <- file.path(data_dir, name)
  if (!file.exists(path)) write.csv(df, path, row.names = FALSE, na = "")
  read.csv(path)
}

set.seed(20240611)
n <- 180
sex <- sample(1:2, n, replace = TRUE, prob = c(0.62, 0.38))
year <- sample(1:6, n, replace = TRUE, prob = c(0.22, 0.2, 0.18, 0.16, 0.13, 0.11))
burnout <- rbinom(n, 1, plogis(-1.2 + 0.3 * year))
depressed <- rbinom(n, 1, plogis(-2 + 1.6 * burnout))
smoker <- rbinom(n, 1, 0.08)
sex[sample(n, 6)] <- NA
burnout[sample(n, 5)] <- NA
year[sample(n, 3)] <- NA
crosstab_gen <- data.frame(id = 1:n, sex, year, burnout, depressed, smoker)
ct <- write_if_absent(crosstab_gen, "crosstab.csv")

set.seed(7031)
n <- 120
latent <- rnorm(n)
phq9 <- pmin(27, pmax(0, round(8 + 5 * latent + rnorm(n, 0, 3))))
gad7 <- pmin(21, pmax(0, round(6 + 4 * latent + rnorm(n, 0, 3))))
sleep <- round(7 - 0.6 * latent + rnorm(n, 0, 1), 1)
stress <- round(50 + 10 * latent + rnorm(n, 0, 8), 6)
age <- sample(18:34, n, replace = TRUE)
phq9[sample(n, 7)] <- NA
gad7[sample(n, 4)] <- NA
sleep[sample(n, 5)] <- NA
stress[sample(n, 3)] <- NA
correlation_gen <- data.frame(id = 1:n, phq9, gad7, sleep, stress, age)
co <- write_if_absent(correlation_gen, "correlation.csv")

set.seed(99173)
n <- 150
k <- 8
f <- rnorm(n)
loadings <- c(0.8, 0.7, 0.75, 0.6, 0.5, 0.65, 0.3, 0.7)
items <- sapply(1:k, function(j) {
  z <- loadings[j] * f + rnorm(n, 0, sqrt(1 - loadings[j]^2))
  as.integer(cut(z, breaks = c(-Inf, -0.8, 0.1, 0.9, Inf))) - 1L
})
colnames(items) <- paste0("item", 1:k)
items[sample(length(items), round(0.035 * length(items)))] <- NA
reliability_gen <- data.frame(id = 1:n, items)
re <- write_if_absent(reliability_gen, "reliability.csv")

# ---------------------------------------------------------------------------------------------------------------------
# Chi-square and Fisher
g2 <- function(O) {
  E <- outer(rowSums(O), colSums(O)) / sum(O)
  2 * sum(ifelse(O > 0, O * log(O / E), 0))
}
chisq_case <- function(O, name) {
  O <- unname(as.matrix(O))
  storage.mode(O) <- "double"
  p <- suppressWarnings(chisq.test(O, correct = FALSE))
  E <- p$expected
  N <- sum(O)
  res <- list(
    name = name, observed = O, n = N,
    expected = E,
    pearson = list(statistic = unname(p$statistic), df = unname(p$parameter), pValue = p$p.value),
    likelihoodRatio = list(
      statistic = g2(O), df = unname(p$parameter),
      pValue = pchisq(g2(O), unname(p$parameter), lower.tail = FALSE)
    ),
    cellsExpectedBelow5 = sum(E < 5), minExpected = min(E),
    cramersV = sqrt(unname(p$statistic) / (N * (min(dim(O)) - 1)))
  )
  if (all(dim(O) == 2)) {
    y <- suppressWarnings(chisq.test(O, correct = TRUE))
    res$yates <- list(statistic = unname(y$statistic), df = unname(y$parameter), pValue = y$p.value)
    res$phi <- (O[1, 1] * O[2, 2] - O[1, 2] * O[2, 1]) / sqrt(prod(rowSums(O)) * prod(colSums(O)))
  }
  # Linear-by-linear association with scores 1..r and 1..c: (N - 1) r^2, r the weighted Pearson correlation.
  rs <- rep(seq_len(nrow(O)), times = ncol(O))
  cs <- rep(seq_len(ncol(O)), each = nrow(O))
  w <- as.vector(O)
  mr <- sum(w * rs) / N
  mc <- sum(w * cs) / N
  r <- sum(w * (rs - mr) * (cs - mc)) / sqrt(sum(w * (rs - mr)^2) * sum(w * (cs - mc)^2))
  res$linearByLinear <- list(statistic = (N - 1) * r^2, df = 1, pValue = pchisq((N - 1) * r^2, 1, lower.tail = FALSE))
  res
}

chisq_cases <- list(
  chisq_case(matrix(c(2, 7, 9, 3), 2), "2x2 small"),
  chisq_case(matrix(c(3, 2, 2, 3), 2), "2x2 symmetric"),
  chisq_case(matrix(c(12, 5, 7, 9, 3, 11, 8, 6, 2), 3), "3x3"),
  chisq_case(matrix(c(120, 95, 340, 410), 2), "2x2 large"),
  chisq_case(matrix(c(20, 20, 30, 30), 2), "2x2 independent exactly"),
  chisq_case(matrix(c(10, 10, 10, 10.2), 2), "2x2 |ad-bc| < N/2"),
  chisq_case(matrix(c(0, 4, 5, 1, 7, 2, 3, 0), 2), "2x4 with zero cells"),
  chisq_case(matrix(c(1500, 1800, 2100, 1900), 2), "2x2 very large"),
  chisq_case(matrix(c(1, 0, 0, 40), 2), "2x2 tiny p")
)

# Tables built from the crosstab CSV (complete pairs only, levels sorted as R's factor() does).
from_vectors <- function(a, b, name) {
  ok <- complete.cases(a, b)
  t <- table(factor(a[ok]), factor(b[ok]))
  r <- chisq_case(unclass(t), name)
  r$rowLevels <- as.numeric(rownames(t))
  r$colLevels <- as.numeric(colnames(t))
  r
}
vector_cases <- list(
  from_vectors(ct$sex, ct$burnout, "sex x burnout"),
  from_vectors(ct$burnout, ct$depressed, "burnout x depressed"),
  from_vectors(ct$year, ct$burnout, "year x burnout"),
  from_vectors(ct$year, ct$smoker, "year x smoker"),
  from_vectors(ct$sex, ct$year, "sex x year")
)

# Fisher's exact test. R's fisher.test finds the conditional MLE and the CI limits with uniroot() at its default
# tolerance (.Machine$double.eps^0.25 ~ 1.2e-4 in the ncp scale), so its printed values are accurate to ~4-6 digits
# only. `precise` repeats R's own algorithm (same functions, same brackets) with the tightest uniroot tolerance.
fisher_precise <- function(x, conf.level = 0.95, alternative = "two.sided") {
  m <- sum(x[, 1L]); n <- sum(x[, 2L]); k <- sum(x[1L, ]); x <- x[1L, 1L]
  lo <- max(0L, k - n); hi <- min(k, m)
  support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mnhyper <- function(ncp) { if (ncp == 0) return(lo); if (ncp == Inf) return(hi); sum(support * dnhyper(ncp)) }
  pnhyper <- function(q, ncp = 1, upper.tail = FALSE) {
    if (ncp == 1) return(if (upper.tail) phyper(x - 1, m, n, k, lower.tail = FALSE) else phyper(x, m, n, k))
    if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
    sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q])
  }
  tol <- 1e-300
  ur <- function(f, lower, upper) uniroot(f, c(lower, upper), tol = tol, maxiter = 10000)$root
  mle <- function(x) {
    if (x == lo) return(0); if (x == hi) return(Inf)
    mu <- mnhyper(1)
    if (mu > x) ur(function(t) mnhyper(t) - x, 0, 1)
    else if (mu < x) 1 / ur(function(t) mnhyper(1 / t) - x, .Machine$double.eps, 1)
    else 1
  }
  ncp.U <- function(x, alpha) {
    if (x == hi) return(Inf)
    p <- pnhyper(x, 1)
    if (p < alpha) ur(function(t) pnhyper(x, t) - alpha, 0, 1)
    else if (p > alpha) 1 / ur(function(t) pnhyper(x, 1 / t) - alpha, .Machine$double.eps, 1)
    else 1
  }
  ncp.L <- function(x, alpha) {
    if (x == lo) return(0)
    p <- pnhyper(x, 1, upper.tail = TRUE)
    if (p > alpha) ur(function(t) pnhyper(x, t, upper.tail = TRUE) - alpha, 0, 1)
    else if (p < alpha) 1 / ur(function(t) pnhyper(x, 1 / t, upper.tail = TRUE) - alpha, .Machine$double.eps, 1)
    else 1
  }
  ci <- switch(alternative,
    less = c(0, ncp.U(x, 1 - conf.level)),
    greater = c(ncp.L(x, 1 - conf.level), Inf),
    two.sided = { a <- (1 - conf.level) / 2; c(ncp.L(x, a), ncp.U(x, a)) }
  )
  list(estimate = mle(x), ci = ci)
}
fisher_case <- function(O, name, conf.level = 0.95) {
  O <- unname(as.matrix(O))
  storage.mode(O) <- "integer"
  alts <- c("two.sided", "less", "greater")
  out <- list(name = name, observed = O, confLevel = conf.level)
  for (a in alts) {
    f <- fisher.test(O, alternative = a, conf.level = conf.level)
    pr <- fisher_precise(O, conf.level, a)
    out[[a]] <- list(
      pValue = f$p.value,
      rEstimate = unname(f$estimate), rCi = as.numeric(f$conf.int),
      estimate = pr$estimate, ci = pr$ci
    )
  }
  out$sampleOddsRatio <- (O[1, 1] * O[2, 2]) / (O[1, 2] * O[2, 1])
  out
}
fisher_cases <- list(
  fisher_case(matrix(c(2, 7, 9, 3), 2), "2x2 small"),
  fisher_case(matrix(c(3, 2, 2, 3), 2), "ties in probability"),
  fisher_case(matrix(c(3, 1, 1, 3), 2), "tea tasting"),
  fisher_case(matrix(c(10, 3, 0, 12), 2), "x at upper end"),
  fisher_case(matrix(c(0, 6, 5, 2), 2), "x at lower end"),
  fisher_case(matrix(c(120, 95, 340, 410), 2), "large"),
  fisher_case(matrix(c(1500, 1800, 2100, 1900), 2), "very large"),
  fisher_case(matrix(c(1, 0, 0, 40), 2), "tiny p"),
  fisher_case(matrix(c(7, 2, 3, 9), 2), "90 percent CI", conf.level = 0.9),
  fisher_case(matrix(c(25, 3, 4, 1), 2), "skewed margins"),
  fisher_case(matrix(c(40, 0, 2, 35), 2), "extreme association")
)

# ---------------------------------------------------------------------------------------------------------------------
# Correlation
pearson_case <- function(x, y, name) {
  ok <- complete.cases(x, y)
  out <- list(name = name, n = sum(ok))
  for (a in c("two.sided", "less", "greater")) {
    ct <- cor.test(x, y, alternative = a)
    out[[a]] <- list(
      estimate = unname(ct$estimate), statistic = unname(ct$statistic), df = unname(ct$parameter),
      pValue = ct$p.value, ci = as.numeric(ct$conf.int)
    )
  }
  ct90 <- cor.test(x, y, conf.level = 0.9)
  out$ci90 <- as.numeric(ct90$conf.int)
  out
}
spearman_case <- function(x, y, name) {
  ok <- complete.cases(x, y)
  xx <- x[ok]; yy <- y[ok]
  nn <- length(xx)
  out <- list(name = name, n = nn, ties = min(length(unique(xx)), length(unique(yy))) < nn)
  for (a in c("two.sided", "less", "greater")) {
    r_default <- suppressWarnings(cor.test(x, y, method = "spearman", alternative = a))
    t_approx <- suppressWarnings(cor.test(x, y, method = "spearman", alternative = a, exact = FALSE))
    out[[a]] <- list(
      estimate = unname(r_default$estimate), S = unname(r_default$statistic),
      pValueR = r_default$p.value, pValueT = t_approx$p.value
    )
  }
  rho <- unname(out$two.sided$estimate)
  out$t <- rho * sqrt((nn - 2) / (1 - rho^2))
  out
}

pearson_cases <- list(
  pearson_case(co$phq9, co$gad7, "phq9 x gad7"),
  pearson_case(co$phq9, co$sleep, "phq9 x sleep"),
  pearson_case(co$stress, co$age, "stress x age"),
  pearson_case(c(1, 2, 3, 4, 5), c(2.1, 3.9, 6.2, 7.8, 10.1), "n = 5 strong"),
  pearson_case(c(1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4, 1e9 + 6), c(3, 1, 4, 1, 5), "large offset")
)
spearman_cases <- list(
  spearman_case(co$phq9, co$gad7, "phq9 x gad7 (ties)"),
  spearman_case(co$sleep, co$stress, "sleep x stress (ties in sleep)"),
  spearman_case(co$stress, co$age + co$stress / 1000, "stress x age+ (no ties, n > 9)"),
  spearman_case(c(1.2, 3.4, 2.2, 5.1, 4.4, 6.0, 0.3), c(2, 5, 1, 7, 3, 6, 4), "n = 7 exact"),
  spearman_case(c(3, 1, 4, 1.5, 5, 9, 2.6, 6.5, 3.5), c(2.7, 1.8, 2.8, 1.1, 8.2, 8.4, 5.9, 0.4, 5.2), "n = 9 exact"),
  spearman_case(c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), c(3, 1, 2, 5, 4, 7, 6, 10, 8, 9), "n = 10 Edgeworth"),
  spearman_case(c(1, 2, 3, 4, 5, 6, 7, 8), c(8, 7, 6, 5, 4, 3, 2, 1), "n = 8 perfect negative"),
  spearman_case(c(1, 2, 2, 3, 4, 5), c(1, 3, 2, 4, 6, 5), "n = 6 ties")
)

vars <- c("phq9", "gad7", "sleep", "stress", "age")
X <- as.matrix(co[, vars])
pair_n <- crossprod(!is.na(X))
pair_p <- matrix(NA_real_, length(vars), length(vars))
pair_sp <- matrix(NA_real_, length(vars), length(vars))
for (i in seq_along(vars)) for (j in seq_along(vars)) if (i != j) {
  pair_p[i, j] <- cor.test(X[, i], X[, j])$p.value
  pair_sp[i, j] <- suppressWarnings(cor.test(X[, i], X[, j], method = "spearman", exact = FALSE)$p.value)
}
Xc <- X[complete.cases(X), ]
pair_p_lw <- matrix(NA_real_, length(vars), length(vars))
for (i in seq_along(vars)) for (j in seq_along(vars)) if (i != j) pair_p_lw[i, j] <- cor.test(Xc[, i], Xc[, j])$p.value
cor_matrix <- list(
  variables = vars,
  pearson = cor(X, use = "pairwise.complete.obs"),
  spearman = cor(X, use = "pairwise.complete.obs", method = "spearman"),
  pearsonListwise = cor(X, use = "complete.obs"),
  nListwise = sum(complete.cases(X)), pValueListwise = pair_p_lw,
  n = pair_n, pValue = pair_p, spearmanPValue = pair_sp
)

# ---------------------------------------------------------------------------------------------------------------------
# Reliability
alpha_summary <- function(x) {
  a <- suppressWarnings(psych::alpha(as.data.frame(x), warnings = FALSE))
  C <- cov(x, use = "pairwise")
  list(
    raw = a$total$raw_alpha, std = a$total$std.alpha, averageR = a$total$average_r,
    alphaDrop = a$alpha.drop$raw_alpha, stdAlphaDrop = a$alpha.drop$std.alpha,
    rDrop = a$item.stats$r.drop, itemMean = a$item.stats$mean, itemSd = a$item.stats$sd,
    itemN = as.numeric(a$item.stats$n), scaleMean = sum(colMeans(x, na.rm = TRUE)), scaleVariance = sum(C),
    scaleMeanIfDeleted = sum(colMeans(x, na.rm = TRUE)) - colMeans(x, na.rm = TRUE),
    scaleVarianceIfDeleted = sapply(seq_len(ncol(x)), function(i) sum(C[-i, -i]))
  )
}
rel_items <- as.matrix(re[, paste0("item", 1:8)])
complete <- rel_items[complete.cases(rel_items), ]
rel_listwise <- alpha_summary(complete)
rel_listwise$n <- nrow(complete)
rel_pairwise <- alpha_summary(rel_items)
rel_pairwise$n <- sum(rowSums(!is.na(rel_items)) > 0)
rel_pairwise$nMinPair <- min(crossprod(!is.na(rel_items)))
# Three-item scale (items 1-3) and two-item scale (items 4-5), listwise over the scale's own items (as SPSS).
sub3 <- rel_items[complete.cases(rel_items[, 1:3]), 1:3]
rel_three <- alpha_summary(sub3)
rel_three$n <- nrow(sub3)
sub2 <- rel_items[complete.cases(rel_items[, 4:5]), 4:5]
a2 <- suppressWarnings(psych::alpha(as.data.frame(sub2), warnings = FALSE))
rel_two <- list(raw = a2$total$raw_alpha, std = a2$total$std.alpha, rDrop = a2$item.stats$r.drop, n = nrow(sub2))

# ---------------------------------------------------------------------------------------------------------------------
golden <- list(
  meta = list(r = R.version.string, psych = as.character(packageVersion("psych"))),
  chisq = chisq_cases, chisqFromVectors = vector_cases, fisher = fisher_cases,
  pearson = pearson_cases, spearman = spearman_cases, correlationMatrix = cor_matrix,
  reliability = list(listwise = rel_listwise, pairwise = rel_pairwise, threeItems = rel_three, twoItems = rel_two)
)
writeLines(to_json(golden), out_file)
cat("wrote", out_file, "\n")
