# Golden values for the regression models of the example study (analysis.models in
# examples/bace-medical-students/study.json), computed independently in base R from the Google-Forms-shaped CSV:
# the stigma domain (mean of its answered items, "Not applicable" left out) by gender, level of training and age,
# as a logistic model of stigma >= 1.5 (glm, run to the exact maximum) and as a linear model (lm); and the logistic
# model of "any barrier domain >= 1.5" with its bivariate associations (chisq.test, fisher.test, t.test).
# Compared with nabz by test/analysis/models.test.ts. Run: Rscript --vanilla test/goldens/r/models_bace.R
d <- read.csv("examples/bace-medical-students/responses.csv", check.names = FALSE, stringsAsFactors = FALSE,
              na.strings = "", encoding = "UTF-8")
codes <- c("Not at all" = 0, "A little" = 1, "Quite a lot" = 2, "A lot" = 3)
bace_cols <- grep("\\[", names(d))
stopifnot(length(bace_cols) == 30)
items <- sapply(d[bace_cols], function(x) unname(codes[x]))
colnames(items) <- sprintf("bace3_%02d", 1:30)
stigma <- rowMeans(items[, sprintf("bace3_%02d", c(21, 12, 28, 3, 8, 5, 26, 14, 4, 24))], na.rm = TRUE)
stigma[is.nan(stigma)] <- NA
df <- data.frame(
  stigma = stigma,
  high = as.numeric(stigma >= 1.5),
  gender = factor(d[["Gender"]], levels = c("Female", "Male")),
  training = factor(d[["Level of training"]], levels = c("Undergraduate", "Postgraduate")),
  age = as.numeric(d[["Age (years)"]])
)
df <- df[complete.cases(df), ]
num <- function(x) sprintf("%.17g", x)
out <- c()
add <- function(key, x) out <<- c(out, sprintf('  "%s": %s', key, num(x)))
names_nabz <- c("(Intercept)", "Gender: Male", "Level of training: Postgraduate", "Age")
add("n", nrow(df))

f0 <- glm(high ~ gender + training + age, family = binomial, data = df, control = glm.control(epsilon = 1e-12, maxit = 100))
fit <- suppressWarnings(glm(high ~ gender + training + age, family = binomial, data = df, start = coef(f0),
                            control = glm.control(epsilon = 1e-15, maxit = 100)))
s <- summary(fit)$coefficients
ci <- exp(confint.default(fit))
for (j in seq_len(nrow(s))) {
  k <- paste0("logistic.", names_nabz[j])
  add(paste0(k, ".b"), s[j, 1]); add(paste0(k, ".se"), s[j, 2]); add(paste0(k, ".wald"), s[j, 3]^2)
  add(paste0(k, ".p"), s[j, 4]); add(paste0(k, ".or"), exp(s[j, 1]))
  add(paste0(k, ".orLower"), ci[j, 1]); add(paste0(k, ".orUpper"), ci[j, 2])
}
add("logistic.events", sum(df$high))
add("logistic.deviance", fit$deviance); add("logistic.nullDeviance", fit$null.deviance)
lr <- fit$null.deviance - fit$deviance; n <- nrow(df)
add("logistic.chi2", lr); add("logistic.chi2p", pchisq(lr, 3, lower.tail = FALSE))
cs <- 1 - exp(-lr / n); add("logistic.coxSnell", cs); add("logistic.nagelkerke", cs / (1 - exp(-fit$null.deviance / n)))
pred <- fitted(fit) >= 0.5
add("logistic.class00", sum(df$high == 0 & !pred)); add("logistic.class01", sum(df$high == 0 & pred))
add("logistic.class10", sum(df$high == 1 & !pred)); add("logistic.class11", sum(df$high == 1 & pred))
crude <- list(c("Gender: Male", "gender"), c("Level of training: Postgraduate", "training"), c("Age", "age"))
for (cr in crude) {
  f1 <- glm(as.formula(paste("high ~", cr[2])), family = binomial, data = df, control = glm.control(epsilon = 1e-12, maxit = 100))
  f1 <- suppressWarnings(glm(as.formula(paste("high ~", cr[2])), family = binomial, data = df, start = coef(f1),
                             control = glm.control(epsilon = 1e-15, maxit = 100)))
  add(paste0("crude.", cr[1], ".or"), exp(coef(f1)[2]))
  add(paste0("crude.", cr[1], ".orLower"), exp(confint.default(f1)[2, 1]))
  add(paste0("crude.", cr[1], ".orUpper"), exp(confint.default(f1)[2, 2]))
}

lf <- lm(stigma ~ gender + training + age, data = df)
ls <- summary(lf); lc <- ls$coefficients; lci <- confint(lf)
X <- model.matrix(lf); sdy <- sd(df$stigma)
for (j in seq_len(nrow(lc))) {
  k <- paste0("linear.", names_nabz[j])
  add(paste0(k, ".b"), lc[j, 1]); add(paste0(k, ".se"), lc[j, 2]); add(paste0(k, ".t"), lc[j, 3])
  add(paste0(k, ".p"), lc[j, 4]); add(paste0(k, ".lower"), lci[j, 1]); add(paste0(k, ".upper"), lci[j, 2])
  if (j > 1) add(paste0(k, ".beta"), lc[j, 1] * sd(X[, j]) / sdy)
}
add("linear.r2", ls$r.squared); add("linear.adjr2", ls$adj.r.squared)
add("linear.F", ls$fstatistic[[1]]); add("linear.Fp", pf(ls$fstatistic[[1]], 3, ls$fstatistic[[3]], lower.tail = FALSE))
# VIF (1-df terms): 1 / (1 - R²) of each predictor column on the others
for (j in 2:4) {
  r2 <- summary(lm(X[, j] ~ X[, -c(1, j)]))$r.squared
  add(paste0("linear.", names_nabz[j], ".vif"), 1 / (1 - r2))
}

## "Any barrier domain >= 1.5": the highest of the three study domains (analysis.combined "any_barrier", missing when
## a domain is missing) >= 1.5, by gender, level of training and age (complete cases), crude and adjusted ORs
dom <- function(ix) { x <- rowMeans(items[, sprintf("bace3_%02d", ix)], na.rm = TRUE); x[is.nan(x)] <- NA; x }
hi <- pmax(dom(c(21, 12, 28, 3, 8, 5, 26, 14, 4, 24)), dom(c(2, 7, 10, 23, 18, 25, 17, 13, 19, 9)),
           dom(c(27, 15, 20, 29, 11, 6, 1, 30, 22, 16)))
da <- data.frame(
  any = as.numeric(hi >= 1.5),
  gender = factor(d[["Gender"]], levels = c("Female", "Male")),
  training = factor(d[["Level of training"]], levels = c("Undergraduate", "Postgraduate")),
  specialty = factor(d[["Specialty"]], levels = c("Medicine and allied", "Surgery and allied",
                                                  "Diagnostic and basic sciences", "Dental")),
  age = as.numeric(d[["Age (years)"]])
)
dm <- da[complete.cases(da[, c("any", "gender", "training", "age")]), ]
add("any.n", nrow(dm)); add("any.events", sum(dm$any))
exact_glm <- function(f, data) {
  f0 <- glm(f, family = binomial, data = data, control = glm.control(epsilon = 1e-12, maxit = 100))
  suppressWarnings(glm(f, family = binomial, data = data, start = coef(f0), control = glm.control(epsilon = 1e-15, maxit = 100)))
}
fa <- exact_glm(any ~ gender + training + age, dm)
sa <- summary(fa)$coefficients; cia <- exp(confint.default(fa))
for (j in seq_len(nrow(sa))) {
  k <- paste0("any.", names_nabz[j])
  add(paste0(k, ".b"), sa[j, 1]); add(paste0(k, ".se"), sa[j, 2]); add(paste0(k, ".wald"), sa[j, 3]^2)
  add(paste0(k, ".p"), sa[j, 4]); add(paste0(k, ".or"), exp(sa[j, 1]))
  add(paste0(k, ".orLower"), cia[j, 1]); add(paste0(k, ".orUpper"), cia[j, 2])
}
lr <- fa$null.deviance - fa$deviance
add("any.deviance", fa$deviance); add("any.chi2", lr); add("any.chi2p", pchisq(lr, 3, lower.tail = FALSE))
for (cr in crude) {
  f1 <- exact_glm(as.formula(paste("any ~", cr[2])), dm)
  add(paste0("anycrude.", cr[1], ".or"), exp(coef(f1)[2]))
  add(paste0("anycrude.", cr[1], ".orLower"), exp(confint.default(f1)[2, 1]))
  add(paste0("anycrude.", cr[1], ".orUpper"), exp(confint.default(f1)[2, 2]))
}
## its bivariate associations (analysis.associations "any_barrier"): each test on the respondents with both values;
## chi-square without correction (Fisher's exact test when an expected count is below 5), Welch's t for age
anyf <- factor(da$any, levels = c(1, 0))
for (v in c("gender", "training", "specialty")) {
  tab <- table(da[[v]], anyf)
  tab <- tab[rowSums(tab) > 0, , drop = FALSE]
  ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
  add(paste0("assoc.", v, ".minExpected"), min(ct$expected))
  add(paste0("assoc.", v, ".chi2"), ct$statistic); add(paste0("assoc.", v, ".df"), ct$parameter)
  add(paste0("assoc.", v, ".p"), if (min(ct$expected) < 5) fisher.test(tab)$p.value else ct$p.value)
  add(paste0("assoc.", v, ".n"), sum(tab))
}
tt <- t.test(da$age[da$any == 1], da$age[da$any == 0])
add("assoc.age.t", tt$statistic); add("assoc.age.df", tt$parameter); add("assoc.age.p", tt$p.value)
writeLines(c("{", paste(out, collapse = ",\n"), "}"), "test/goldens/models_bace.json")
