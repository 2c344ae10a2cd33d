# Golden values for the whole analysis of the example study (examples/bace-medical-students), computed
# independently in base R + psych from the Google-Forms-shaped CSV. Compared with `nabz analyze` by
# test/core/analysis/analyzeStudy.test.ts. Run: Rscript --vanilla test/goldens/r/example_bace.R
suppressPackageStartupMessages(library(psych))
d <- read.csv("examples/bace-medical-students/responses.csv", check.names = FALSE, stringsAsFactors = FALSE,
              na.strings = "", encoding = "UTF-8")
codes <- c("Not at all" = 0, "A little" = 1, "Quite a lot" = 2, "A lot" = 3)
bace_cols <- grep("\\[", names(d))
stopifnot(length(bace_cols) == 30)
items <- sapply(d[bace_cols], function(x) unname(codes[x]))  # "Not applicable" -> NA
colnames(items) <- sprintf("bace3_%02d", 1:30)
ix <- function(v) sprintf("bace3_%02d", v)
dom <- list(
  bace3_stigma = ix(c(3, 5, 8, 9, 12, 14, 17, 19, 21, 24, 26, 28)),
  bace3_mean = ix(1:30),
  stigma = ix(c(21, 12, 28, 3, 8, 5, 26, 14, 4, 24)),
  attitudinal = ix(c(2, 7, 10, 23, 18, 25, 17, 13, 19, 9)),
  instrumental = ix(c(27, 15, 20, 29, 11, 6, 1, 30, 22, 16))
)
na_items <- ix(c(14, 24, 27, 28, 29))
scores <- sapply(dom, function(cols) { m <- rowMeans(items[, cols, drop = FALSE], na.rm = TRUE); m[is.nan(m)] <- NA; m })
g <- d[["Level of training"]]
num <- function(x) sprintf("%.17g", x)
out <- c()
add <- function(key, x) out <<- c(out, sprintf('  "%s": %s', key, num(x)))
for (k in colnames(items)) {
  x <- items[, k]
  add(paste0("endorse.", k, ".count"), sum(x >= 2, na.rm = TRUE))
  add(paste0("endorse.", k, ".n"), sum(!is.na(x)))
}
for (k in names(dom)) {
  x <- scores[, k]
  add(paste0("desc.", k, ".n"), sum(!is.na(x)))
  add(paste0("desc.", k, ".mean"), mean(x, na.rm = TRUE))
  add(paste0("desc.", k, ".sd"), sd(x, na.rm = TRUE))
  add(paste0("desc.", k, ".min"), min(x, na.rm = TRUE))
  add(paste0("desc.", k, ".max"), max(x, na.rm = TRUE))
  a <- x[g == "Undergraduate" & !is.na(x)]; b <- x[g == "Postgraduate" & !is.na(x)]
  st <- t.test(a, b, var.equal = TRUE); we <- t.test(a, b)
  add(paste0("student.", k, ".t"), st$statistic); add(paste0("student.", k, ".p"), st$p.value)
  add(paste0("student.", k, ".lower"), st$conf.int[1]); add(paste0("student.", k, ".upper"), st$conf.int[2])
  add(paste0("welch.", k, ".t"), we$statistic); add(paste0("welch.", k, ".df"), we$parameter); add(paste0("welch.", k, ".p"), we$p.value)
  add(paste0("welch.", k, ".lower"), we$conf.int[1]); add(paste0("welch.", k, ".upper"), we$conf.int[2])
  dev <- abs(c(a - mean(a), b - mean(b))); grp <- factor(rep(1:2, c(length(a), length(b))))
  lev <- anova(lm(dev ~ grp))
  add(paste0("levene.", k, ".F"), lev$`F value`[1]); add(paste0("levene.", k, ".p"), lev$`Pr(>F)`[1])
  cols <- dom[[k]]; m <- items[, cols]; m <- m[complete.cases(m), , drop = FALSE]
  al <- psych::alpha(m, warnings = FALSE, check.keys = FALSE)
  add(paste0("alpha.", k, ".alpha"), al$total$raw_alpha); add(paste0("alpha.", k, ".n"), nrow(m))
  for (it in cols) {
    add(paste0("alphadrop.", k, ".", it), al$alpha.drop[it, "raw_alpha"])
    add(paste0("rdrop.", k, ".", it), al$item.stats[it, "r.drop"])
  }
  # Alpha over the items everyone can answer: the score's items without a "not applicable" option (BACE 14, 24,
  # 27, 28, 29 in the instrument definition), listwise over those items.
  ans <- setdiff(cols, na_items)
  if (length(ans) < length(cols)) {
    m2 <- items[, ans]; m2 <- m2[complete.cases(m2), , drop = FALSE]
    a2 <- psych::alpha(m2, warnings = FALSE, check.keys = FALSE)
    add(paste0("alpha.", k, ".answerable.alpha"), a2$total$raw_alpha); add(paste0("alpha.", k, ".answerable.n"), nrow(m2))
    add(paste0("alpha.", k, ".answerable.items"), length(ans))
    for (it in ans) {
      add(paste0("alphadrop.", k, ".answerable.", it), a2$alpha.drop[it, "raw_alpha"])
      add(paste0("rdrop.", k, ".answerable.", it), a2$item.stats[it, "r.drop"])
    }
  }
  q <- quantile(x, c(.25, .5, .75), type = 6, na.rm = TRUE)
  add(paste0("q1.", k), q[[1]]); add(paste0("median.", k), q[[2]]); add(paste0("q3.", k), q[[3]])
  add(paste0("se.", k), sd(x, na.rm = TRUE) / sqrt(sum(!is.na(x))))
}
for (k in c("stigma", "attitudinal", "instrumental")) {
  x <- scores[, k]; ok <- !is.na(x); s <- sum(x[ok] >= 1.5)
  ci <- prop.test(s, sum(ok), correct = FALSE)$conf.int
  add(paste0("threshold.", k, ".count"), s); add(paste0("threshold.", k, ".n"), sum(ok))
  add(paste0("threshold.", k, ".lower"), ci[1]); add(paste0("threshold.", k, ".upper"), ci[2])
}
pg <- d[["Level of training"]] == "Postgraduate"
spec <- factor(d[["Specialty"]][pg])
for (k in c("stigma", "attitudinal")) {
  w <- oneway.test(scores[pg, k] ~ spec)
  add(paste0("welchanova.", k, ".F"), w$statistic); add(paste0("welchanova.", k, ".df2"), w$parameter[2])
  add(paste0("welchanova.", k, ".p"), w$p.value)
}
tab <- table(d[["Gender"]], d[["Level of training"]])[c("Female", "Male"), c("Undergraduate", "Postgraduate")]
ch <- chisq.test(tab, correct = FALSE)
add("xt.gender.chi2", ch$statistic); add("xt.gender.p", ch$p.value)
add("xt.gender.fisher.p", fisher.test(tab)$p.value)
writeLines(c("{", paste(out, collapse = ",\n"), "}"), "test/goldens/example_bace.json")
cat("wrote test/goldens/example_bace.json\n")
