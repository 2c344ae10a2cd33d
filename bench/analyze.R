# The peer of `nabz analyze` in bench/analyze.mjs: the same analysis of a Google-Forms-shaped BACE export in base R
# + psych + car, as a researcher would script it, including the example study's regression models
# (analysis.models). Usage: Rscript --vanilla bench/analyze.R responses.csv
suppressPackageStartupMessages(library(psych))
suppressPackageStartupMessages(library(car))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE, stringsAsFactors = FALSE, na.strings = "", encoding = "UTF-8")
codes <- c("Not at all" = 0, "A little" = 1, "Quite a lot" = 2, "A lot" = 3)
bace_cols <- grep("\\[", names(d))
stopifnot(length(bace_cols) == 30)
items <- sapply(d[bace_cols], function(x) {
  v <- unname(codes[x])
  bad <- !is.na(x) & x != "Not applicable" & is.na(v)
  if (any(bad)) stop("unknown label: ", x[bad][1])
  v
})
colnames(items) <- sprintf("bace3_%02d", 1:30)
dom <- list(
  stigma = c(21, 12, 28, 3, 8, 5, 26, 14, 4, 24),
  attitudinal = c(2, 7, 10, 23, 18, 25, 17, 13, 19, 9),
  instrumental = c(27, 15, 20, 29, 11, 6, 1, 30, 22, 16),
  overall = 1:30
)
scores <- sapply(dom, function(ix) rowMeans(items[, ix, drop = FALSE], na.rm = TRUE))
stigma_official <- rowMeans(items[, c(3, 5, 8, 9, 12, 14, 17, 19, 21, 24, 26, 28)], na.rm = TRUE)
training <- d[["Level of training"]]
gender <- d[["Gender"]]
out <- list()
# Sample description
out$freq_gender <- table(gender, useNA = "ifany")
out$freq_training <- table(training, useNA = "ifany")
out$age <- c(mean(d[["Age (years)"]], na.rm = TRUE), sd(d[["Age (years)"]], na.rm = TRUE))
# Item endorsement (>= 2), N/A out of the denominator
out$endorse <- apply(items, 2, function(x) c(sum(x >= 2, na.rm = TRUE), sum(!is.na(x))))
# Domain descriptives
out$desc <- apply(cbind(scores, stigma_official), 2, function(x) c(mean(x, na.rm = TRUE), sd(x, na.rm = TRUE), min(x, na.rm = TRUE), max(x, na.rm = TRUE), quantile(x, c(.25, .5, .75), na.rm = TRUE, type = 6)))
# Threshold prevalence with Wilson CI
out$prev <- lapply(c("stigma", "attitudinal", "instrumental"), function(k) {
  x <- scores[, k]; ok <- !is.na(x); s <- sum(x[ok] >= 1.5)
  prop.test(s, sum(ok), correct = FALSE)$conf.int
})
# Group comparisons: Student, Welch, Levene (mean-centred), Cohen's d, by training and by gender
cmp <- function(y, g) {
  lv <- levels(factor(g))
  a <- y[g == lv[1] & !is.na(y)]; b <- y[g == lv[2] & !is.na(y)]
  st <- t.test(a, b, var.equal = TRUE); we <- t.test(a, b)
  dev <- abs(c(a - mean(a), b - mean(b))); grp <- factor(rep(1:2, c(length(a), length(b))))
  lev <- anova(lm(dev ~ grp))
  sp <- sqrt(((length(a) - 1) * var(a) + (length(b) - 1) * var(b)) / (length(a) + length(b) - 2))
  c(st$statistic, st$p.value, we$statistic, we$parameter, we$p.value, lev$`F value`[1], lev$`Pr(>F)`[1], (mean(a) - mean(b)) / sp)
}
out$cmp <- lapply(list(training, gender), function(g) apply(scores, 2, cmp, g = g))
# Reliability per domain (listwise, as SPSS) with item-deleted statistics
out$alpha <- lapply(dom[1:3], function(ix) {
  m <- items[, ix]; m <- m[complete.cases(m), , drop = FALSE]
  a <- psych::alpha(m, warnings = FALSE, check.keys = FALSE)
  c(a$total$raw_alpha, a$alpha.drop$raw_alpha, a$item.stats$r.drop)
})
# Models of the analysis plan (analysis.models of the example study), complete cases, as nabz reports them:
# logistic "stigma >= 1.5" on gender, level of training and age — B, SE, Wald, p, OR with Wald CI (confint.default),
# crude ORs (one-predictor models on the same cases), -2LL, LR chi-square, Cox & Snell and Nagelkerke R²,
# Hosmer–Lemeshow (10 groups at the deciles of the fitted probability), classification table at 0.5 —
# and linear "stigma" on the same: B, SE, t, p, CI, standardised beta, R², adjusted R², F, VIF (car::vif).
md <- data.frame(
  stigma = scores[, "stigma"],
  gender = factor(gender, levels = c("Female", "Male")),
  training = factor(training, levels = c("Undergraduate", "Postgraduate")),
  age = d[["Age (years)"]]
)
md <- md[complete.cases(md), ]
md$high <- as.numeric(md$stigma >= 1.5)
lg <- glm(high ~ gender + training + age, family = binomial, data = md)
lgs <- summary(lg)$coefficients
out$logistic <- list(
  coef = cbind(lgs, wald = lgs[, 3]^2, or = exp(lgs[, 1]), exp(confint.default(lg))),
  crude = lapply(c("gender", "training", "age"), function(v) {
    f <- glm(as.formula(paste("high ~", v)), family = binomial, data = md)
    exp(cbind(coef(f), confint.default(f)))[-1, ]
  }),
  fit = {
    lr <- lg$null.deviance - lg$deviance; n <- nrow(md); cs <- 1 - exp(-lr / n)
    c(m2ll = lg$deviance, chi2 = lr, p = pchisq(lr, lg$df.null - lg$df.residual, lower.tail = FALSE),
      coxSnell = cs, nagelkerke = cs / (1 - exp(-lg$null.deviance / n)))
  },
  hl = {
    p <- fitted(lg); cut <- unique(quantile(p, seq(0, 1, 0.1)))
    g <- cut(p, cut, include.lowest = TRUE)
    o <- tapply(md$high, g, sum); e <- tapply(p, g, sum); m <- tapply(p, g, length)
    x2 <- sum((o - e)^2 / e + ((m - o) - (m - e))^2 / (m - e))
    c(x2, pchisq(x2, 8, lower.tail = FALSE))
  },
  classification = table(md$high, fitted(lg) >= 0.5)
)
ln <- lm(stigma ~ gender + training + age, data = md)
lns <- summary(ln)
X <- model.matrix(ln)
out$linear <- list(
  coef = cbind(lns$coefficients, confint(ln), beta = c(NA, coef(ln)[-1] * apply(X[, -1], 2, sd) / sd(md$stigma))),
  fit = c(lns$r.squared, lns$adj.r.squared, lns$fstatistic,
          pf(lns$fstatistic[1], lns$fstatistic[2], lns$fstatistic[3], lower.tail = FALSE)),
  vif = car::vif(ln)
)
# The combined score "any_barrier" (the highest of the three domains, missing when one is): its logistic model
# (>= 1.5) with crude and adjusted ORs as above, and its bivariate associations — chi-square (Fisher's exact test
# when an expected count is below 5) with Cramér's V for gender, level of training and specialty; Welch's t with
# Hedges' g for age — each on the respondents with both values.
hi <- do.call(pmax, as.data.frame(scores[, c("stigma", "attitudinal", "instrumental")]))
hi[is.nan(hi)] <- NA
ad <- data.frame(any = as.numeric(hi >= 1.5), age = d[["Age (years)"]])
ad$gender <- factor(gender, levels = c("Female", "Male"))
ad$training <- factor(training, levels = c("Undergraduate", "Postgraduate"))
ad$specialty <- factor(d[["Specialty"]])
am <- ad[complete.cases(ad[, c("any", "gender", "training", "age")]), ]
ag <- glm(any ~ gender + training + age, family = binomial, data = am)
ags <- summary(ag)$coefficients
out$any_barrier <- list(
  coef = cbind(ags, or = exp(ags[, 1]), exp(confint.default(ag))),
  crude = lapply(c("gender", "training", "age"), function(v) {
    f <- glm(as.formula(paste("any ~", v)), family = binomial, data = am)
    exp(cbind(coef(f), confint.default(f)))[-1, ]
  }),
  lr = ag$null.deviance - ag$deviance
)
anyf <- factor(ad$any, levels = c(1, 0))
out$assoc <- c(
  lapply(c("gender", "training", "specialty"), function(v) {
    tab <- table(ad[[v]], anyf)
    tab <- tab[rowSums(tab) > 0, , drop = FALSE]
    ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
    p <- if (min(ct$expected) < 5) fisher.test(tab)$p.value else ct$p.value
    c(ct$statistic, p, sqrt(ct$statistic / (sum(tab) * (min(dim(tab)) - 1))), prop.table(tab, 1))
  }),
  list(age = {
    a <- ad$age[ad$any == 1 & !is.na(ad$any)]; b <- ad$age[ad$any == 0 & !is.na(ad$any)]
    tt <- t.test(a, b)
    sp <- sqrt(((length(a) - 1) * var(a) + (length(b) - 1) * var(b)) / (length(a) + length(b) - 2))
    c(tt$statistic, tt$parameter, tt$p.value, (mean(a) - mean(b)) / sp, mean(a), sd(a), mean(b), sd(b))
  })
)
cat(sprintf("R done: %d respondents, overall mean %.6f; OR(Postgraduate): stigma %.6f, any barrier %.6f; linear B(age) %.6f\n",
            nrow(d), mean(scores[, "overall"], na.rm = TRUE), out$logistic$coef[3, "or"],
            out$any_barrier$coef[3, "or"], coef(ln)[["age"]]))
