# Shared by the golden scripts that source it: a data file in test/goldens/pspp is written once (seeded simulation or
# an export of an R data set) and then read, never rewritten, so R, PSPP and the TypeScript tests read the same bytes.
write_if_absent <- function(df, name, data_dir = "test/goldens/pspp") {
  path <- file.path(data_dir, name)
  if (!file.exists(path)) write.csv(df, path, row.names = FALSE, na = "")
  read.csv(path)
}
