# Golden values for the "factors associated" example (examples/phq9-gad7-students), computed independently in base R
# from the Google-Forms-shaped CSV: PHQ-9 and GAD-7 totals (sums of items 1-9 and 1-7, 0-3 each), the bivariate
# tests of analysis.associations (chisq.test, fisher.test, t.test, wilcox.test, kruskal.test, oneway.test,
# cor.test, Games-Howell and TukeyHSD), p.adjust("holm") per table, the correlation matrix, and the models
# (glm: PHQ-9 >= 10 on gender, year, family history, sleep; lm: GAD-7 total on the same and age).
# Compared with nabz by test/analysis/example-phq9-gad7.test.ts. Run: Rscript --vanilla test/goldens/r/example_phq9_gad7.R
d <- read.csv("examples/phq9-gad7-students/responses.csv", check.names = FALSE, stringsAsFactors = FALSE,
              na.strings = "", encoding = "UTF-8")
codes <- c("Not at all" = 0, "Several days" = 1, "More than half the days" = 2, "Nearly every day" = 3)
phq_cols <- grep("^Patient Health Questionnaire-9 \\[", names(d))[1:9]
gad_cols <- grep("^Generalized Anxiety Disorder 7-item scale \\[", names(d))[1:7]
phq <- rowSums(sapply(d[phq_cols], function(x) unname(codes[x])))
gad <- rowSums(sapply(d[gad_cols], function(x) unname(codes[x])))
df <- data.frame(
  phq = phq, gad = gad, dep = as.numeric(phq >= 10),
  gender = factor(d[["Gender"]], levels = c("Female", "Male")),
  year = factor(d[["Year of study"]], levels = paste("Year", 1:4)),
  residence = factor(d[["Residence"]], levels = c("With family", "Hostel", "Private accommodation")),
  family_history = factor(d[["Family history of mental illness"]], levels = c("No", "Yes")),
  marital = factor(d[["Marital status"]], levels = c("Single", "Married", "Divorced or widowed")),
  age = as.numeric(d[["Age (years)"]]),
  sleep = as.numeric(d[["Hours of sleep on a usual night"]])
)
stopifnot(!anyNA(df))
num <- function(x) sprintf("%.17g", x)
out <- c()
add <- function(key, x) out <<- c(out, sprintf('  "%s": %s', key, num(x)))
add("n", nrow(df))
add("depressed", sum(df$dep))
depf <- factor(df$dep, levels = c(1, 0))

## association "depression": PHQ-9 >= 10 by each characteristic
pd <- c()
for (v in c("gender", "year", "residence", "family_history")) {
  tab <- table(df[[v]], depf)
  ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
  add(paste0("depression.", v, ".chi2"), ct$statistic); add(paste0("depression.", v, ".df"), ct$parameter)
  add(paste0("depression.", v, ".p"), ct$p.value)
  add(paste0("depression.", v, ".v"), sqrt(ct$statistic / (sum(tab) * (min(dim(tab)) - 1))))
  add(paste0("depression.", v, ".minExpected"), min(ct$expected))
  pd[v] <- ct$p.value
}
tab <- table(df$marital, depf)
ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
add("depression.marital.minExpected", min(ct$expected))
add("depression.marital.p", fisher.test(tab)$p.value); pd["marital"] <- fisher.test(tab)$p.value
# with k = 10 the 6 divorced or widowed respondents are left out of the comparison
keep <- df$marital != "Divorced or widowed"
tab2 <- table(droplevels(df$marital[keep]), depf[keep])
ct2 <- suppressWarnings(chisq.test(tab2, correct = FALSE))
add("k10.marital.minExpected", min(ct2$expected)); add("k10.marital.chi2", ct2$statistic); add("k10.marital.p", ct2$p.value)
add("k10.marital.fisher", fisher.test(tab2)$p.value)
add("k10.marital.married.dep", tab2["Married", "1"]); add("k10.marital.married.nodep", tab2["Married", "0"])
for (v in c("age", "sleep")) {
  tt <- t.test(df[[v]][df$dep == 1], df[[v]][df$dep == 0])
  add(paste0("depression.", v, ".t"), tt$statistic); add(paste0("depression.", v, ".df"), tt$parameter)
  add(paste0("depression.", v, ".p"), tt$p.value); pd[v] <- tt$p.value
}
ph <- p.adjust(pd, "holm")
for (v in names(ph)) add(paste0("depression.", v, ".holm"), ph[[v]])

## association "phq9_total" (nonparametric)
pn <- c()
for (v in c("gender", "family_history")) {
  lv <- levels(df[[v]])
  w <- wilcox.test(df$phq[df[[v]] == lv[1]], df$phq[df[[v]] == lv[2]], exact = FALSE, correct = TRUE)
  add(paste0("phq9_total.", v, ".W"), w$statistic); add(paste0("phq9_total.", v, ".p"), w$p.value); pn[v] <- w$p.value
}
for (v in c("year", "residence")) {
  k <- kruskal.test(df$phq, df[[v]])
  add(paste0("phq9_total.", v, ".H"), k$statistic); add(paste0("phq9_total.", v, ".df"), k$parameter)
  add(paste0("phq9_total.", v, ".p"), k$p.value); pn[v] <- k$p.value
  # Dunn's test written out (as dunn.test / FSA::dunnTest), Holm over the pairs (the plan's adjust)
  g <- df[[v]]; lv <- levels(g); nn <- nrow(df); r <- rank(df$phq)
  mr <- tapply(r, g, mean); ni <- tapply(r, g, length); tt <- table(df$phq)
  vr <- nn * (nn + 1) / 12 - sum(tt^3 - tt) / (12 * (nn - 1))
  keys <- c(); zs <- c()
  for (i in 1:(length(lv) - 1)) for (j in (i + 1):length(lv)) {
    key <- paste0("phq9_total.", v, ".dunn.", lv[j], " - ", lv[i])
    z <- (mr[[j]] - mr[[i]]) / sqrt(vr * (1 / ni[[i]] + 1 / ni[[j]]))
    add(paste0(key, ".diff"), mr[[j]] - mr[[i]]); add(paste0(key, ".z"), z)
    add(paste0(key, ".p"), 2 * pnorm(-abs(z))); keys <- c(keys, key); zs <- c(zs, z)
  }
  ph <- p.adjust(2 * pnorm(-abs(zs)), "holm")
  for (i in seq_along(keys)) add(paste0(keys[i], ".holm"), ph[i])
}
for (v in c("age", "sleep")) {
  s <- suppressWarnings(cor.test(df[[v]], df$phq, method = "spearman", exact = FALSE))
  add(paste0("phq9_total.", v, ".rho"), s$estimate); add(paste0("phq9_total.", v, ".p"), s$p.value); pn[v] <- s$p.value
}
ph <- p.adjust(pn, "holm")
for (v in names(ph)) add(paste0("phq9_total.", v, ".holm"), ph[[v]])

## association "gad7_total" (parametric, Welch) with Games-Howell; TukeyHSD for the Student variant
pg <- c()
tt <- t.test(df$gad[df$gender == "Female"], df$gad[df$gender == "Male"])
add("gad7_total.gender.t", tt$statistic); add("gad7_total.gender.df", tt$parameter); add("gad7_total.gender.p", tt$p.value)
pg["gender"] <- tt$p.value
for (v in c("year", "residence")) {
  o <- oneway.test(df$gad ~ df[[v]], var.equal = FALSE)
  add(paste0("gad7_total.", v, ".F"), o$statistic); add(paste0("gad7_total.", v, ".df2"), o$parameter[[2]])
  add(paste0("gad7_total.", v, ".p"), o$p.value); pg[v] <- o$p.value
  a <- oneway.test(df$gad ~ df[[v]], var.equal = TRUE)
  add(paste0("gad7_total.", v, ".Fstudent"), a$statistic); add(paste0("gad7_total.", v, ".pStudent"), a$p.value)
  # Games-Howell written out (as rstatix::games_howell_test)
  g <- df[[v]]; lv <- levels(g); k <- length(lv)
  m <- tapply(df$gad, g, mean); s2 <- tapply(df$gad, g, var); n <- tapply(df$gad, g, length)
  for (i in 1:(k - 1)) for (j in (i + 1):k) {
    key <- paste0("gad7_total.", v, ".gh.", lv[j], " - ", lv[i])
    se <- sqrt(s2[[i]] / n[[i]] + s2[[j]] / n[[j]])
    dfw <- se^4 / ((s2[[i]] / n[[i]])^2 / (n[[i]] - 1) + (s2[[j]] / n[[j]])^2 / (n[[j]] - 1))
    q <- abs(m[[j]] - m[[i]]) / (se / sqrt(2))
    add(paste0(key, ".diff"), m[[j]] - m[[i]]); add(paste0(key, ".se"), se); add(paste0(key, ".df"), dfw)
    add(paste0(key, ".q"), q); add(paste0(key, ".p"), ptukey(q, k, dfw, lower.tail = FALSE))
  }
  th <- TukeyHSD(aov(df$gad ~ g))$g
  for (r in rownames(th)) {
    key <- paste0("gad7_total.", v, ".tukey.", sub("-", " - ", r, fixed = TRUE))
    add(paste0(key, ".diff"), th[r, "diff"]); add(paste0(key, ".lwr"), th[r, "lwr"])
    add(paste0(key, ".upr"), th[r, "upr"]); add(paste0(key, ".p"), th[r, "p adj"])
  }
}
ph <- p.adjust(pg, "holm")
for (v in names(ph)) add(paste0("gad7_total.", v, ".holm"), ph[[v]])

## correlation matrix (Pearson), pairs in row order, Holm over the 6 pairs
vars <- c("phq", "gad", "age", "sleep")
pc <- c()
for (i in 1:3) for (j in (i + 1):4) {
  ct <- cor.test(df[[vars[i]]], df[[vars[j]]])
  key <- paste0("cor.", vars[i], ".", vars[j])
  add(paste0(key, ".r"), ct$estimate); add(paste0(key, ".p"), ct$p.value); pc[key] <- ct$p.value
}
ph <- p.adjust(pc, "holm")
for (key in names(ph)) add(paste0(key, ".holm"), ph[[key]])

## models
names_logit <- c("(Intercept)", "Gender: Male", "Year of study: Year 2", "Year of study: Year 3", "Year of study: Year 4",
                 "Family history of mental illness: Yes", "Hours of sleep on a usual night")
f0 <- glm(dep ~ gender + year + family_history + sleep, family = binomial, data = df,
          control = glm.control(epsilon = 1e-12, maxit = 100))
fit <- suppressWarnings(glm(dep ~ gender + year + family_history + sleep, family = binomial, data = df,
                            start = coef(f0), control = glm.control(epsilon = 1e-15, maxit = 100)))
s <- summary(fit)$coefficients; ci <- exp(confint.default(fit))
for (j in seq_len(nrow(s))) {
  k <- paste0("logistic.", names_logit[j])
  add(paste0(k, ".b"), s[j, 1]); add(paste0(k, ".se"), s[j, 2]); add(paste0(k, ".p"), s[j, 4])
  add(paste0(k, ".or"), exp(s[j, 1])); add(paste0(k, ".orLower"), ci[j, 1]); add(paste0(k, ".orUpper"), ci[j, 2])
}
add("logistic.deviance", fit$deviance); add("logistic.nullDeviance", fit$null.deviance)
names_lm <- c(names_logit, "Age")
lf <- lm(gad ~ gender + year + family_history + sleep + age, data = df)
lc <- summary(lf)$coefficients; lci <- confint(lf)
for (j in seq_len(nrow(lc))) {
  k <- paste0("linear.", names_lm[j])
  add(paste0(k, ".b"), lc[j, 1]); add(paste0(k, ".se"), lc[j, 2]); add(paste0(k, ".t"), lc[j, 3])
  add(paste0(k, ".p"), lc[j, 4]); add(paste0(k, ".lower"), lci[j, 1]); add(paste0(k, ".upper"), lci[j, 2])
}
add("linear.r2", summary(lf)$r.squared); add("linear.adjr2", summary(lf)$adj.r.squared)

## sample size (Cochran with finite population correction): p = 0.3, d = 0.05, 95%, N = 3000
z <- qnorm(0.975); n0 <- z^2 * 0.3 * 0.7 / 0.05^2
add("samplesize.n0", n0); add("samplesize.n", ceiling(n0 / (1 + (n0 - 1) / 3000)))
writeLines(c("{", paste(out, collapse = ",\n"), "}"), "test/goldens/example_phq9_gad7.json")
