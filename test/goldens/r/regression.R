# Golden values for src/core/stats/regression.ts (OLS, VIF) and src/core/stats/logistic.ts.
# Run from the repository root:  Rscript --vanilla test/goldens/r/regression.R
# Writes test/goldens/regression.json. Needs R >= 4.2 with car (Debian r-cran-car) and MASS (r-recommended).
#
# Data: test/goldens/pspp/regression_sim.csv is simulated here once (seeded) and then read, never rewritten;
# mtcars.csv and esoph/infert are R's datasets package data, exported once (see test/goldens/pspp/README.md);
# bfi.csv is psych::bfi (already committed).
suppressPackageStartupMessages({ library(car); library(MASS) })
data_dir <- "test/goldens/pspp"
out_file <- "test/goldens/regression.json"
source("test/goldens/r/lib/json.R")

write_if_absent <- function(df, name) {
  path <- file.path(data_dir, name)
  if (!file.exists(path)) write.csv(df, path, row.names = FALSE, na = "")
  read.csv(path)
}

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

out <- list(lm = lm_out)
if (file.exists("test/goldens/r/regression_glm.R")) source("test/goldens/r/regression_glm.R")
writeLines(to_json(out), out_file)
cat("wrote", out_file, "\n")
