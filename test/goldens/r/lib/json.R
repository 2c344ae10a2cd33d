# Minimal JSON writer shared by the golden scripts that source it (jsonlite is not installed). Numbers with 17
# significant digits; NA -> null; +-Inf -> strings. A length-1 vector is written as a scalar unless wrapped in arr().
arr <- function(x) structure(list(x), class = "json_array")
json_num <- function(x) {
  if (is.na(x)) return("null")
  if (is.infinite(x)) return(if (x > 0) "\"Infinity\"" else "\"-Infinity\"")
  sprintf("%.17g", x)
}
to_json <- function(x) {
  if (inherits(x, "json_array")) {
    v <- x[[1]]
    if (is.list(v)) return(paste0("[", paste(vapply(v, to_json, ""), collapse = ","), "]"))
    return(paste0("[", paste(vapply(as.list(v), to_json, ""), collapse = ","), "]"))
  }
  if (is.list(x)) {
    if (is.null(names(x))) return(paste0("[", paste(vapply(x, to_json, ""), collapse = ","), "]"))
    parts <- mapply(function(k, v) paste0("\"", k, "\":", to_json(v)), names(x), x)
    return(paste0("{", paste(parts, collapse = ","), "}"))
  }
  if (is.matrix(x)) {
    rows <- lapply(seq_len(nrow(x)), function(i) arr(unname(x[i, ])))
    return(to_json(rows))
  }
  if (is.character(x)) {
    if (length(x) == 1) return(paste0("\"", x, "\""))
    return(paste0("[", paste0("\"", x, "\"", collapse = ","), "]"))
  }
  if (is.logical(x) && length(x) == 1 && !is.na(x)) return(if (x) "true" else "false")
  if (length(x) == 1) return(json_num(as.numeric(x)))
  paste0("[", paste(vapply(as.numeric(x), json_num, ""), collapse = ","), "]")
}
