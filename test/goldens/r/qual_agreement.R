# Goldens for src/core/qual/agreement.ts: percent agreement, Cohen's kappa, Gwet's AC1, Brennan-Prediger and
# Krippendorff's alpha (nominal), and the moderator-turn scope of src/core/qual/comparison.ts.
# Run from the repo root:  Rscript --vanilla test/goldens/r/qual_agreement.R   -> test/goldens/qual_agreement.json
#
# The irr package is used as the reference when it is installed (irr::kappa2, irr::kripp.alpha); otherwise the
# statistics are computed by hand from the published formulas below. Both are written when irr is present and
# must agree. (On the machine that generated the committed JSON, irr was NOT installed: hand formulas only.)
#
#   kappa = (po - pe) / (1 - pe), po = sum(diag(T))/n, pe = sum(rowSums(T) * colSums(T)) / n^2   (Cohen 1960)
#   alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k,
#     o_ck = sum over units with m_u >= 2 values of (#c * (#k - [c == k])) / (m_u - 1)           (Krippendorff 2011)
#
# Base R only (jsonlite is not installed): numbers are written with sprintf("%.17g"). Inputs are written into
# the JSON too, so the tests read data and reference values from one file.

num <- function(x) {
  if (length(x) != 1) stop("num() takes one value")
  if (is.na(x)) return("null")
  if (is.infinite(x)) stop("infinite value")
  sprintf("%.17g", x)
}
vec <- function(x) paste0("[", paste(vapply(x, num, ""), collapse = ","), "]")
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
obj <- function(...) {
  fields <- list(...)
  paste0("{", paste(sprintf("%s: %s", vapply(names(fields), str, ""), unlist(fields)), collapse = ", "), "}")
}
arr <- function(items) paste0("[\n  ", paste(items, collapse = ",\n  "), "\n]")
mat <- function(m) paste0("[", paste(apply(m, 1, vec), collapse = ", "), "]")

have_irr <- suppressWarnings(requireNamespace("irr", quietly = TRUE))

kappa_hand <- function(a, b) {
  ok <- !is.na(a) & !is.na(b)
  a <- a[ok]
  b <- b[ok]
  lv <- sort(unique(c(a, b)))
  t <- table(factor(a, levels = lv), factor(b, levels = lv))
  n <- sum(t)
  po <- sum(diag(t)) / n
  pe <- sum(rowSums(t) * colSums(t)) / n^2
  list(n = n, po = po, pe = pe, kappa = (po - pe) / (1 - pe))
}

# d: coders x units matrix, NA = missing
alpha_hand <- function(d) {
  cats <- sort(unique(as.vector(d[!is.na(d)])))
  K <- length(cats)
  o <- matrix(0, K, K)
  for (u in seq_len(ncol(d))) {
    v <- d[!is.na(d[, u]), u]
    mu <- length(v)
    if (mu < 2) next
    cnt <- vapply(cats, function(c) sum(v == c), 0)
    o <- o + (outer(cnt, cnt) - diag(cnt, K)) / (mu - 1)
  }
  nc <- rowSums(o)
  n <- sum(nc)
  Do <- sum(o) - sum(diag(o))
  De <- sum(outer(nc, nc)) - sum(nc^2)
  list(alpha = 1 - (n - 1) * Do / De, n = n, o = o)
}

# Gwet's AC1 and Brennan-Prediger for two raters over q categories (pairs with a missing value dropped):
#   AC1 = (po - pe) / (1 - pe), pe = sum_k pi_k (1 - pi_k) / (q - 1), pi_k = (n_k+ + n_+k) / 2n   (Gwet 2008)
#   BP  = (po - 1/q) / (1 - 1/q)                                                           (Brennan & Prediger 1981)
ac1_bp_hand <- function(a, b, q) {
  ok <- !is.na(a) & !is.na(b)
  a <- a[ok]
  b <- b[ok]
  n <- length(a)
  po <- mean(a == b)
  lv <- sort(unique(c(a, b)))
  pi <- vapply(lv, function(k) (sum(a == k) + sum(b == k)) / (2 * n), 0)
  pe <- sum(pi * (1 - pi)) / (q - 1)
  list(ac1 = (po - pe) / (1 - pe), bp = (po - 1 / q) / (1 - 1 / q))
}

irr_kappa <- function(a, b) if (have_irr) irr::kappa2(cbind(a, b))$value else NA
irr_alpha <- function(d) if (have_irr) irr::kripp.alpha(d, method = "nominal")$value else NA

out <- list()

## ---- two coders, binary vectors -----------------------------------------------------------------
kappa_cases <- character(0)
add_kappa <- function(name, a, b, q = 2) {
  h <- kappa_hand(a, b)
  g <- ac1_bp_hand(a, b, q)
  ok <- !is.na(a) & !is.na(b)
  kappa_cases <<- c(kappa_cases, obj(
    name = str(name), a = vec(a), b = vec(b), n = num(h$n),
    percentAgreement = num(100 * h$po), expectedAgreement = num(h$pe),
    kappa = num(h$kappa), kappaIrr = num(irr_kappa(a, b)), q = num(q), ac1 = num(g$ac1), bp = num(g$bp),
    alpha = num(alpha_hand(rbind(a[ok], b[ok]))$alpha)
  ))
}

set.seed(20250301)
a <- rbinom(500, 1, 0.3)
flip <- rbinom(500, 1, 0.15)
b <- ifelse(flip == 1, 1 - a, a)
add_kappa("binary_500", a, b)

set.seed(7)
a <- rbinom(240, 1, 0.08)
b <- ifelse(runif(240) < 0.05, 1 - a, a)
add_kappa("rare_code_240", a, b)

# NVivo's documented example: 1,000 characters, 50 coded by both, 150 by one coder only (75 + 75), 800 by neither.
a <- c(rep(1, 50), rep(1, 75), rep(0, 75), rep(0, 800))
b <- c(rep(1, 50), rep(0, 75), rep(1, 75), rep(0, 800))
add_kappa("nvivo_1000", a, b)

# Nominal, three categories, with missing values (pairs with a missing value are dropped).
set.seed(99)
a <- sample(1:3, 120, replace = TRUE, prob = c(0.5, 0.3, 0.2))
b <- ifelse(runif(120) < 0.25, sample(1:3, 120, replace = TRUE), a)
a[c(5, 17, 60)] <- NA
b[c(17, 88)] <- NA
add_kappa("nominal3_missing", a, b, q = 3)
out$kappa <- arr(kappa_cases)

## ---- Krippendorff's alpha, matrices --------------------------------------------------------------
alpha_cases <- character(0)
add_alpha <- function(name, d) {
  h <- alpha_hand(d)
  alpha_cases <<- c(alpha_cases, obj(
    name = str(name), data = mat(d), alpha = num(h$alpha), alphaIrr = num(irr_alpha(d)),
    pairableValues = num(h$n), coincidences = mat(h$o)
  ))
}

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal example: 4 coders, 12 units,
# missing values; the paper reports alpha = 0.743.
kex <- rbind(
  c(1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA),
  c(1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3),
  c(NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA),
  c(1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA)
)
add_alpha("krippendorff_2011_nominal", kex)

set.seed(314)
truth <- rbinom(300, 1, 0.35)
d3 <- t(vapply(1:3, function(i) ifelse(runif(300) < c(0.1, 0.15, 0.2)[i], 1 - truth, truth), numeric(300)))
d3[matrix(runif(900) < 0.1, 3, 300)] <- NA
add_alpha("binary_3coders_missing", d3)

set.seed(2718)
truth <- rbinom(150, 1, 0.2)
d4 <- t(vapply(1:4, function(i) ifelse(runif(150) < 0.12, 1 - truth, truth), numeric(150)))
add_alpha("binary_4coders", d4)
out$alpha <- arr(alpha_cases)

## ---- segments on a 2,000-character source: the sweep against a brute-force expansion ------------------
# Three coders code two codes with random segments; unit vectors are built here character by character and,
# for the turn unit, turn by turn (coded when a segment overlaps the turn by at least one character).
set.seed(4242)
L <- 2000
cuts <- sort(sample(2:(L - 1), 29))
turn_start <- c(0, cuts)
turn_end <- c(cuts, L)
segs <- data.frame(coder = character(0), code = character(0), start = integer(0), end = integer(0))
for (coder in c("A", "B", "C")) for (code in c("pressure", "support")) {
  k <- sample(6:12, 1)
  s <- sample(0:(L - 60), k)
  e <- s + sample(5:120, k, replace = TRUE)
  e <- pmin(e, L)
  segs <- rbind(segs, data.frame(coder = coder, code = code, start = s, end = e))
}
char_vec <- function(coder, code) {
  v <- integer(L)
  ss <- segs[segs$coder == coder & segs$code == code, ]
  for (i in seq_len(nrow(ss))) v[(ss$start[i] + 1):ss$end[i]] <- 1L
  v
}
turn_vec <- function(coder, code) {
  ss <- segs[segs$coder == coder & segs$code == code, ]
  vapply(seq_along(turn_start), function(t) {
    as.integer(any(pmax(ss$start, turn_start[t]) < pmin(ss$end, turn_end[t])))
  }, 0L)
}
seg_results <- character(0)
for (unit in c("character", "turn")) {
  f <- if (unit == "character") char_vec else turn_vec
  pooled <- list(A = integer(0), B = integer(0), C = integer(0))
  for (code in c("pressure", "support")) {
    va <- f("A", code); vb <- f("B", code); vc <- f("C", code)
    pooled$A <- c(pooled$A, va); pooled$B <- c(pooled$B, vb); pooled$C <- c(pooled$C, vc)
    k <- kappa_hand(va, vb)
    seg_results <- c(seg_results, obj(
      unit = str(unit), code = str(code), units = num(length(va)),
      both = num(sum(va == 1 & vb == 1)), aOnly = num(sum(va == 1 & vb == 0)), bOnly = num(sum(va == 0 & vb == 1)),
      percentAgreement = num(100 * k$po), kappa = num(k$kappa),
      alpha2 = num(alpha_hand(rbind(va, vb))$alpha), alpha3 = num(alpha_hand(rbind(va, vb, vc))$alpha)
    ))
  }
  k <- kappa_hand(pooled$A, pooled$B)
  seg_results <- c(seg_results, obj(
    unit = str(unit), code = str("pooled"), units = num(length(pooled$A)),
    both = num(sum(pooled$A == 1 & pooled$B == 1)), aOnly = num(sum(pooled$A == 1 & pooled$B == 0)),
    bOnly = num(sum(pooled$A == 0 & pooled$B == 1)),
    percentAgreement = num(100 * k$po), kappa = num(k$kappa),
    alpha2 = num(alpha_hand(rbind(pooled$A, pooled$B))$alpha),
    alpha3 = num(alpha_hand(rbind(pooled$A, pooled$B, pooled$C))$alpha)
  ))
}
# Scope: moderator turns (1-based turn numbers below) are not units. Characters inside them are dropped from
# the character vectors; the turns themselves from the turn vectors.
moderator_turns <- c(1, 5, 9, 17, 30)
inside <- logical(L)
for (t in moderator_turns) inside[(turn_start[t] + 1):turn_end[t]] <- TRUE
scope_results <- character(0)
for (unit in c("character", "turn")) {
  for (code in c("pressure", "support")) {
    if (unit == "character") {
      va <- char_vec("A", code)[!inside]; vb <- char_vec("B", code)[!inside]; vc <- char_vec("C", code)[!inside]
    } else {
      keep <- setdiff(seq_along(turn_start), moderator_turns)
      va <- turn_vec("A", code)[keep]; vb <- turn_vec("B", code)[keep]; vc <- turn_vec("C", code)[keep]
    }
    k <- kappa_hand(va, vb)
    g <- ac1_bp_hand(va, vb, 2)
    scope_results <- c(scope_results, obj(
      unit = str(unit), code = str(code), units = num(length(va)), both = num(sum(va == 1 & vb == 1)),
      percentAgreement = num(100 * k$po), kappa = num(k$kappa), ac1 = num(g$ac1), bp = num(g$bp),
      alpha3 = num(alpha_hand(rbind(va, vb, vc))$alpha)
    ))
  }
}

seg_rows <- vapply(seq_len(nrow(segs)), function(i) obj(
  coder = str(segs$coder[i]), code = str(segs$code[i]), start = num(segs$start[i]), end = num(segs$end[i])
), "")
out$segments <- paste0(
  "{", "\"length\": ", L, ", \"turnStarts\": ", vec(turn_start), ", \"turnEnds\": ", vec(turn_end),
  ", \"segments\": ", arr(seg_rows), ", \"results\": ", arr(seg_results),
  ", \"moderatorTurns\": ", vec(moderator_turns), ", \"scopeResults\": ", arr(scope_results), "}"
)

json <- paste0(
  "{\n\"generatedBy\": ", str(paste("R", getRversion(), if (have_irr) "with irr" else "hand formulas (irr not installed)")),
  ",\n", paste(sprintf("\"%s\": %s", names(out), unlist(out)), collapse = ",\n"), "\n}\n"
)
writeLines(json, "test/goldens/qual_agreement.json", sep = "")
cat("wrote test/goldens/qual_agreement.json\n")
