/** Import errors about the file itself rather than its rows, shared by the CSV and XLSX readers. */
import type { ImportError } from '../core/response/importErrors.js';

/** An error of code `file`: the file cannot be read as a table (`row` where one row stops the read). */
export function fileError(message: string, row: number | null = null): ImportError {
  return { code: 'file', row, column: null, value: null, item: null, message };
}

/** The error for a file-system failure the user can fix (no such file, a folder, no permission), or null. */
export function fsError(path: string, code: string | undefined): ImportError | null {
  if (code === 'ENOENT') return fileError(`There is no file ${JSON.stringify(path)}.`);
  if (code === 'EISDIR') return fileError(`${JSON.stringify(path)} is a folder, not a file.`);
  if (code === 'EACCES')
    return fileError(`The file ${JSON.stringify(path)} cannot be read (permission denied).`);
  return null;
}
