/**
 * A small `multipart/form-data` reader for the studio's file uploads (a form with `enctype="multipart/form-data"`
 * works without JavaScript; @fastify/multipart is not installed). The body arrives whole (Fastify's parser with
 * `parseAs: 'buffer'` and the route's body limit), so this only splits it: text fields (UTF-8, checked) and
 * files (bytes with their file name). Anything that is not well-formed multipart is a 400 naming what is wrong.
 */
import { isUtf8 } from 'node:buffer';
import { at } from '../../core/stats/at.js';
import { HttpError } from '../errors.js';

interface UploadedFile {
  readonly field: string;
  readonly fileName: string;
  readonly bytes: Buffer;
}

export interface MultipartForm {
  /** Text fields by name (the first value of a repeated field). */
  readonly fields: Record<string, string>;
  readonly files: readonly UploadedFile[];
}

function bad(what: string): HttpError {
  return new HttpError(
    400,
    `The upload is not a valid form (${what}); nothing was saved. Choose the file and send the form again.`,
    'malformed',
  );
}

/** The boundary of a `multipart/form-data` content type. */
export function multipartBoundary(contentType: string | undefined): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  const b = m?.[1] ?? m?.[2];
  if (!b) throw bad('no boundary in its content type');
  return b;
}

/** A parameter of a Content-Disposition header (`name`, `filename`), unquoted. */
function dispositionParam(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header);
  if (m) return at(m, 1).replace(/\\(.)/g, '$1');
  const bare = new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  return bare?.[1];
}

/** Split a whole multipart body into fields and files. */
export function parseMultipart(body: Buffer, boundary: string): MultipartForm {
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  // The first boundary has no CRLF before it: search as if it had.
  const data = Buffer.concat([Buffer.from('\r\n', 'latin1'), body]);
  let at = data.indexOf(delimiter);
  if (at !== 0) throw bad('it does not start with its boundary');
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  for (;;) {
    const after = at + delimiter.length;
    if (data.subarray(after, after + 2).toString('latin1') === '--') break; // closing boundary
    if (data.subarray(after, after + 2).toString('latin1') !== '\r\n')
      throw bad('a part has a malformed boundary line');
    const next = data.indexOf(delimiter, after);
    if (next < 0) throw bad('it ends before its closing boundary');
    const part = data.subarray(after + 2, next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0) throw bad('a part has no headers');
    const head = part.subarray(0, headEnd);
    if (!isUtf8(head)) throw bad('a part header is not UTF-8');
    const disposition = head
      .toString('utf8')
      .split('\r\n')
      .find((l) => /^content-disposition:/i.test(l));
    const name = disposition ? dispositionParam(disposition, 'name') : undefined;
    if (!disposition || name === undefined) throw bad('a part has no field name');
    const content = part.subarray(headEnd + 4);
    const fileName = dispositionParam(disposition, 'filename');
    if (fileName !== undefined) files.push({ field: name, fileName, bytes: Buffer.from(content) });
    else {
      if (!isUtf8(content)) throw bad(`the field "${name}" is not UTF-8`);
      if (!(name in fields)) fields[name] = content.toString('utf8');
    }
    at = next;
  }
  return { fields, files };
}
