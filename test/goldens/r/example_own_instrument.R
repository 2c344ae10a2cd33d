# Golden values for the example own instrument (examples/help-seeking-attitudes: a 10-item Likert scale,
# items 4 and 8 reverse keyed, defined in hsa.instrument.json), computed independently in base R + psych from
# the Google-Forms-shaped CSV. Compared with `nabz analyze` by test/analysis/own-instrument.test.ts.
# Run: Rscript --vanilla test/goldens/r/example_own_instrument.R
suppressPackageStartupMessages(library(psych))
d <- read.csv("examples/help-seeking-attitudes/responses.csv", check.names = FALSE, stringsAsFactors = FALSE,
              na.strings = "", encoding = "UTF-8")
codes <- c("Strongly disagree" = 1, "Disagree" = 2, "Neither agree nor disagree" = 3, "Agree" = 4,
           "Strongly agree" = 5)
cols <- grep("\\[", names(d))
stopifnot(length(cols) == 10)
items <- sapply(d[cols], function(x) unname(codes[x]))
stopifnot(all(is.na(items) == is.na(as.matrix(d[cols]))))  # every label coded
colnames(items) <- sprintf("hsa_%02d", 1:10)
keyed <- items
keyed[, c(4, 8)] <- 6 - keyed[, c(4, 8)]                   # reverse: min + max - value
answered <- rowSums(!is.na(keyed))
hsa_mean <- ifelse(answered >= 8, rowMeans(keyed, na.rm = TRUE), NA)
hsa_total <- ifelse(answered == 10, rowSums(keyed), NA)
num <- function(x) sprintf("%.17g", x)
out <- c()
add <- function(key, x) out <<- c(out, sprintf('  "%s": %s', key, num(x)))
g <- d[["Which stage of training are you in?"]]
for (k in c("hsa_mean", "hsa_total")) {
  x <- get(k)
  add(paste0("desc.", k, ".n"), sum(!is.na(x)))
  add(paste0("desc.", k, ".mean"), mean(x, na.rm = TRUE))
  add(paste0("desc.", k, ".sd"), sd(x, na.rm = TRUE))
  a <- x[g == "Pre-clinical" & !is.na(x)]; b <- x[g == "Clinical" & !is.na(x)]
  we <- t.test(a, b)
  add(paste0("welch.", k, ".t"), we$statistic); add(paste0("welch.", k, ".p"), we$p.value)
}
add("score.row1.hsa_mean", hsa_mean[1]); add("score.row1.hsa_total", hsa_total[1])
# Cronbach's alpha on the keyed items: psych::alpha with keys (listwise, as SPSS RELIABILITY on recoded items).
m <- items[complete.cases(items), ]
al <- psych::alpha(m, keys = c("hsa_04", "hsa_08"), warnings = FALSE, check.keys = FALSE)
add("alpha.keyed.alpha", al$total$raw_alpha); add("alpha.keyed.n", nrow(m))
for (it in colnames(m)) {
  rn <- if (it %in% c("hsa_04", "hsa_08")) paste0(it, "-") else it
  add(paste0("alphadrop.", it), al$alpha.drop[rn, "raw_alpha"])
  add(paste0("rdrop.", it), al$item.stats[rn, "r.drop"])
}
# The same alpha from the recoded items without keys (what SPSS gives after RECODE): must agree.
al2 <- psych::alpha(keyed[complete.cases(keyed), ], warnings = FALSE, check.keys = FALSE)
stopifnot(abs(al2$total$raw_alpha - al$total$raw_alpha) < 1e-12)
# The unkeyed alpha (the wrong value a program that ignores reverse keys reports).
add("alpha.unkeyed.alpha", psych::alpha(m, warnings = FALSE, check.keys = FALSE)$total$raw_alpha)
writeLines(c("{", paste(out, collapse = ",\n"), "}"), "test/goldens/example_own_instrument.json")
cat("wrote test/goldens/example_own_instrument.json\n")
