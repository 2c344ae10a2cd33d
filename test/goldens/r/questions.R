# Golden values for the report of every question type (src/core/analysis/questions.ts and the sample table):
# single choice (valid percent + Wilson CI), multiple choice (% of those who answered + Wilson CI, exclusive
# "None"), grid/Likert statements (distribution, median and quartiles by R quantile(type = 6), % agreeing +
# Wilson CI), number questions (n, mean, SD, median, quartiles, min, max).
#
# Two data sets, both written here and committed under test/goldens/data/:
# 1. bfi.csv — REAL data: the first ten personality items (A1–A5, C1–C5, 6-point Likert), gender, education
#    and age of the 2,800 respondents in psych::bfi (psych 2.2.9, Debian r-cran-psych; collected by the
#    SAPA project, Revelle et al.; see ?psych::bfi). Codes as in the package; NA written as an empty cell.
# 2. questions_synthetic.csv — SYNTHETIC, seeded: a Google-Forms-shaped export with a select-all-that-apply
#    question whose labels contain commas and an exclusive "None", a 5-point agreement grid, a number with
#    decimals and free text. The truth (which options each respondent chose) is kept in R and the goldens are
#    computed from it, not by parsing the CSV back, so the importer is checked too.
# Compared by test/analysis/questions.test.ts. Run: Rscript --vanilla test/goldens/r/questions.R
suppressPackageStartupMessages(library(psych))
num <- function(x) sprintf("%.17g", x)
out <- c()
add <- function(key, x) out <<- c(out, sprintf('  "%s": %s', key, num(x)))
wilson <- function(key, x, n) {
  add(paste0(key, ".count"), x); add(paste0(key, ".n"), n)
  ci <- prop.test(x, n, correct = FALSE)$conf.int
  add(paste0(key, ".lower"), ci[1]); add(paste0(key, ".upper"), ci[2])
}
likert <- function(key, x, levels, agreeing) {
  x <- x[!is.na(x)]
  n <- length(x)
  for (v in levels) add(paste0(key, ".p", v), sum(x == v) / n)
  q <- quantile(x, c(0.5, 0.25, 0.75), type = 6, names = FALSE)
  add(paste0(key, ".median"), q[1]); add(paste0(key, ".q1"), q[2]); add(paste0(key, ".q3"), q[3])
  wilson(paste0(key, ".agree"), sum(x %in% agreeing), n)
}
numeric_q <- function(key, x) {
  x <- x[!is.na(x)]
  add(paste0(key, ".n"), length(x)); add(paste0(key, ".mean"), mean(x)); add(paste0(key, ".sd"), sd(x))
  q <- quantile(x, c(0.5, 0.25, 0.75), type = 6, names = FALSE)
  add(paste0(key, ".median"), q[1]); add(paste0(key, ".q1"), q[2]); add(paste0(key, ".q3"), q[3])
  add(paste0(key, ".min"), min(x)); add(paste0(key, ".max"), max(x))
}
single <- function(key, x, levels) {
  n <- sum(!is.na(x))
  for (v in levels) wilson(paste0(key, ".", v), sum(x == v, na.rm = TRUE), n)
}

# ---------------------------------------------------------------------------------------------- 1. bfi (real)
items <- c(paste0("A", 1:5), paste0("C", 1:5))
b <- bfi[, c(items, "gender", "education", "age")]
names(b)[seq_along(items)] <- paste0("bfi_", items)
write.csv(b, "test/goldens/data/bfi.csv", row.names = FALSE, na = "", quote = FALSE)
for (it in items) likert(paste0("bfi.bfi_", it), b[[paste0("bfi_", it)]], 1:6, c(5, 6))
single("bfi.gender", b$gender, 1:2)
single("bfi.education", b$education, 1:5)
numeric_q("bfi.age", b$age)

# ---------------------------------------------------------------------------------------------- 2. synthetic
set.seed(20261207)
n <- 157
opts <- c("Talking to friends, family or a partner", "Exercise", "Prayer, meditation", "Professional help", "None")
chosen <- matrix(0L, n, 5)
for (i in 1:n) {
  if (runif(1) < 0.15) chosen[i, 5] <- 1L else chosen[i, 1:4] <- rbinom(4, 1, c(0.55, 0.4, 0.3, 0.12))
  if (sum(chosen[i, ]) == 0) chosen[i, 5] <- 1L
}
chosen[c(7, 50), 2] <- 1L                      # two respondents chose "None" together with "Exercise"
chosen[c(7, 50), 5] <- 1L
unanswered <- c(3, 18, 44, 90, 121, 150)        # empty cell: no answer
cell <- apply(chosen, 1, function(r) paste(opts[r == 1], collapse = ", "))
cell[unanswered] <- ""
agree_labels <- c("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
rows <- c("My workload is manageable", "I feel supported by my supervisors", "I would seek help if I needed it")
grid <- sapply(1:3, function(j) sample(1:5, n, replace = TRUE, prob = list(c(2, 3, 2, 4, 2), c(1, 2, 3, 4, 3), c(1, 1, 2, 5, 4))[[j]]))
grid[c(5, 60), 1] <- NA
grid[c(8), 3] <- NA
sleep <- round(rnorm(n, 6.4, 1.1), 1)
sleep[c(11, 12)] <- NA
year <- sample(1:5, n, replace = TRUE)
comment <- ifelse(runif(n) < 0.3, "Some comment, with a comma", "")
d <- data.frame(
  "Timestamp" = sprintf("2026/03/%02d 10:%02d:00 AM GMT+5", 1 + (0:(n - 1)) %% 28, (0:(n - 1)) %% 60),
  "Which year of study are you in?" = c("First", "Second", "Third", "Fourth", "Final")[year],
  "What helps you cope with stress? (select all that apply)" = cell,
  check.names = FALSE, stringsAsFactors = FALSE)
for (j in 1:3) d[[sprintf("How much do you agree? [%s]", rows[j])]] <- ifelse(is.na(grid[, j]), "", agree_labels[grid[, j]])
d[["How many hours do you sleep on a typical night?"]] <- ifelse(is.na(sleep), "", format(sleep, nsmall = 1, trim = TRUE))
d[["Anything else you would like to tell us?"]] <- comment
write.csv(d, "test/goldens/data/questions_synthetic.csv", row.names = FALSE, na = "")
answered <- setdiff(1:n, unanswered)
for (k in 1:5) wilson(paste0("syn.coping.", k), sum(chosen[answered, k]), length(answered))
add("syn.coping.contradictory", sum(chosen[answered, 5] == 1 & rowSums(chosen[answered, 1:4]) > 0))
for (j in 1:3) likert(paste0("syn.work_", c("load", "support", "help")[j]), grid[, j], 1:5, c(4, 5))
single("syn.year", year, 1:5)
numeric_q("syn.sleep", sleep)
add("syn.comment.n", sum(comment != ""))

writeLines(c("{", paste(out, collapse = ",\n"), "}"), "test/goldens/questions.json")
cat("wrote test/goldens/questions.json,", length(out), "values\n")
