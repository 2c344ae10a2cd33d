# The peer of `nabz analyze` in bench/analyze.mjs: the same analysis of a Google-Forms-shaped BACE export in base R
# + psych, as a researcher would script it. Usage: Rscript --vanilla bench/analyze.R responses.csv
suppressPackageStartupMessages(library(psych))
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
cat(sprintf("R done: %d respondents, overall mean %.6f\n", nrow(d), mean(scores[, "overall"], na.rm = TRUE)))
