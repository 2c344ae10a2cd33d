# Golden values for src/core/stats/regression.ts (OLS, VIF) and src/core/stats/logistic.ts.
# Run from the repository root:  Rscript --vanilla test/goldens/r/regression.R
# Writes test/goldens/regression.json. Needs R >= 4.2 with car (Debian r-cran-car) and MASS (r-recommended).
#
# Data: test/goldens/pspp/regression_sim.csv is simulated here once (seeded) and then read, never rewritten;
# mtcars.csv and infert.csv are R's datasets package data, exported once (see test/goldens/pspp/README.md);
# bfi.csv is psych::bfi (already committed).
suppressPackageStartupMessages({ library(car); library(MASS) })
data_dir <- "test/goldens/pspp"
out_file <- "test/goldens/regression.json"
source("test/goldens/r/lib/json.R")
source("test/goldens/r/lib/data.R")  # write_if_absent()

set.seed(20261207)
n <- 200
age <- round(runif(n, 18, 30))
year <- sample(1:4, n, replace = TRUE)
sleep <- round(7 - 0.1 * (age - 24) + rnorm(n, 0, 1), 1)
stress <- round(20 + 2 * year - 1.5 * sleep + rnorm(n, 0, 4), 1)
site <- sample(c("A", "B", "C"), n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
phq9 <- round(pmin(27, pmax(0, 2 + 0.4 * stress - 0.8 * sleep + (site == "C") * 2 + rnorm(n, 0, 3))))
depressed <- rbinom(n, 1, plogis(-6 + 0.25 * stress - 0.2 * sleep + 0.6 * (site == "B")))
age[sample(n, 5)] <- NA
sleep[sample(n, 4)] <- NA
site[sample(n, 3)] <- NA
phq9[sample(n, 6)] <- NA
sim <- write_if_absent(data.frame(id = 1:n, age, year, sleep, stress, site, phq9, depressed), "regression_sim.csv")

mt <- write_if_absent(cbind(model = rownames(mtcars), mtcars), "mtcars.csv")

coef_table <- function(fit, stat) {
  s <- summary(fit)$coefficients
  list(names = rownames(s), estimate = arr(unname(s[, 1])), se = arr(unname(s[, 2])),
       statistic = arr(unname(s[, 3])), p = arr(unname(s[, 4])))
}
lm_golden <- function(fit, data, numeric_terms) {
  s <- summary(fit)
  ci <- confint(fit)
  mf <- model.frame(fit)
  X <- model.matrix(fit)
  y <- model.response(mf)
  beta <- coef(fit)[-1] * apply(X[, -1, drop = FALSE], 2, sd) / sd(y)
  v <- tryCatch(vif(fit), error = function(e) NULL)
  vif_out <- if (is.null(v)) NULL else if (is.matrix(v)) {
    list(terms = rownames(v), gvif = arr(unname(v[, 1])), df = arr(unname(v[, 2])), adj = arr(unname(v[, 3])))
  } else list(terms = names(v), gvif = arr(unname(v)), df = arr(rep(1, length(v))), adj = arr(unname(sqrt(v))))
  c(coef_table(fit), list(
    n = nrow(mf), ci_lower = arr(unname(ci[, 1])), ci_upper = arr(unname(ci[, 2])), beta = arr(unname(beta)),
    r2 = s$r.squared, adj_r2 = s$adj.r.squared, sigma = s$sigma,
    f = unname(s$fstatistic[1]), df1 = unname(s$fstatistic[2]), df2 = unname(s$fstatistic[3]),
    f_p = pf(s$fstatistic[1], s$fstatistic[2], s$fstatistic[3], lower.tail = FALSE),
    vif = vif_out))
}

sim$site <- factor(sim$site, levels = c("A", "B", "C"))
mt$cyl_f <- factor(mt$cyl)
bfi <- read.csv(file.path(data_dir, "bfi.csv"))
bfi$educ_f <- factor(bfi$education)

lm_out <- list(
  sim_numeric = lm_golden(lm(phq9 ~ age + sleep + stress, data = sim)),
  sim_factor = lm_golden(lm(phq9 ~ age + sleep + stress + site, data = sim)),
  sim_one = lm_golden(lm(phq9 ~ stress, data = sim)),
  mtcars = lm_golden(lm(mpg ~ wt + hp + cyl_f, data = mt)),
  mtcars_numeric = lm_golden(lm(mpg ~ wt + hp + disp + drat + qsec, data = mt)),
  bfi = lm_golden(lm(N1 ~ A1 + C1 + E1 + age + educ_f, data = bfi))
)


# ---------------------------------------------------------------------------------------------------------------------
# Logistic regression. glm is run to the exact maximum: a first fit, then a refit started at its coefficients with
# epsilon 1e-15, so summary()'s SEs use the weights at the maximum (glm computes them from the previous iteration).
glm_exact <- function(formula, data) {
  f0 <- glm(formula, family = binomial, data = data, control = glm.control(epsilon = 1e-12, maxit = 100))
  suppressWarnings(glm(formula, family = binomial, data = data, start = coef(f0),
                       control = glm.control(epsilon = 1e-15, maxit = 100)))
}
# Hosmer-Lemeshow as ResourceSelection::hoslem.test 0.3-5 (not packaged for Debian, so written out from its source):
# cut points unique(quantile(yhat, seq(0, 1, 1/g))), cut(include.lowest = TRUE), df = g - 2.
hoslem <- function(y, yhat, g = 10) {
  qq <- unique(quantile(yhat, probs = seq(0, 1, 1/g)))
  cutyhat <- cut(yhat, breaks = qq, include.lowest = TRUE)
  observed <- xtabs(cbind(y0 = 1 - y, y1 = y) ~ cutyhat)
  expected <- xtabs(cbind(yhat0 = 1 - yhat, yhat1 = yhat) ~ cutyhat)
  chisq <- sum((observed - expected)^2 / expected)
  list(statistic = chisq, df = g - 2, p = pchisq(chisq, g - 2, lower.tail = FALSE),
       n = arr(as.numeric(table(cutyhat))), observed = arr(unname(observed[, 2])), expected = arr(unname(expected[, 2])))
}
# Exact profile-likelihood bound: the root of the signed root deviance = +-qnorm((1 + level) / 2), by uniroot on
# glm fits with the coefficient fixed by an offset.
profile_exact <- function(fit, j, side, level = 0.95) {
  X <- model.matrix(fit)
  y <- fit$y
  b <- coef(fit)[j]
  se <- sqrt(diag(vcov(fit)))[j]
  z <- qnorm((1 + level) / 2)
  dev0 <- deviance(fit)
  others <- X[, -j, drop = FALSE]
  sr <- function(t) {
    pf <- suppressWarnings(glm.fit(others, y, family = binomial(), offset = X[, j] * t,
                                   control = glm.control(epsilon = 1e-15, maxit = 100)))
    sign(t - b) * sqrt(max(0, pf$deviance - dev0)) - side * z
  }
  lo <- if (side > 0) b else b - 3 * z * se
  hi <- if (side > 0) b + 3 * z * se else b
  uniroot(sr, c(lo, hi), tol = 1e-15 * max(1, abs(b)), maxiter = 200)$root
}
glm_golden <- function(fit, profile = FALSE) {
  s <- summary(fit)
  ci <- confint.default(fit)
  mu <- fitted(fit)
  y <- fit$y
  n <- length(y)
  lr <- fit$null.deviance - fit$deviance
  cs <- 1 - exp(-lr / n)
  out <- c(coef_table(fit), list(
    n = n, events = sum(y), or = arr(unname(exp(coef(fit)))),
    or_lower = arr(unname(exp(ci[, 1]))), or_upper = arr(unname(exp(ci[, 2]))),
    null_deviance = fit$null.deviance, deviance = fit$deviance, aic = fit$aic,
    lr = lr, lr_df = fit$df.null - fit$df.residual, lr_p = pchisq(lr, fit$df.null - fit$df.residual, lower.tail = FALSE),
    cox_snell = cs, nagelkerke = cs / (1 - exp(-fit$null.deviance / n)),
    hl = hoslem(y, mu),
    classification = arr(as.numeric(table(factor(y, 0:1), factor(as.numeric(mu >= 0.5), 0:1))))))
  if (profile) {
    k <- length(coef(fit))
    prof <- suppressMessages(confint(fit))
    out$profile_lower <- arr(vapply(1:k, function(j) profile_exact(fit, j, -1), 0))
    out$profile_upper <- arr(vapply(1:k, function(j) profile_exact(fit, j, 1), 0))
    out$mass_lower <- arr(unname(prof[, 1]))
    out$mass_upper <- arr(unname(prof[, 2]))
  }
  out
}
infert_d <- write_if_absent(datasets::infert, "infert.csv")
infert_d$education <- factor(infert_d$education, levels = c("0-5yrs", "6-11yrs", "12+ yrs"))
bfi$female <- as.numeric(bfi$gender == 2)
mt_glm <- glm_exact(vs ~ mpg + am, mt)
glm_out <- list(
  sim = glm_golden(glm_exact(depressed ~ stress + sleep + site, sim), profile = TRUE),
  infert = glm_golden(glm_exact(case ~ spontaneous + induced + age + education, infert_d), profile = TRUE),
  mtcars = glm_golden(mt_glm, profile = TRUE),
  bfi = glm_golden(glm_exact(female ~ A1 + C1 + N1 + E1 + age, bfi))
)
out <- list(lm = lm_out, glm = glm_out)
writeLines(to_json(out), out_file)
cat("wrote", out_file, "\n")
