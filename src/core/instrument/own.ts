/**
 * Own instruments: a scored questionnaire defined as data by a researcher (a JSON file validated by
 * schemas/instrument.schema.json, or inline in a study) rather than shipped in the library. It is the same
 * `Instrument` as a library one — scales, reverse keys, scores, bands, safety rules — with licence, citation,
 * version, short title and languages defaulted when left out (see `OWN_INSTRUMENT_LICENCE`).
 */
import { type Instrument, InstrumentSchema, type Issue, parseInstrument, type Validated } from './schema.js';
import { unknownKeys } from './unknownKeys.js';

/**
 * Parse an own instrument definition typed by a researcher. Besides the schema's checks, a key the schema
 * does not know (`"reversed"` for `"reverse"`) is an error, never silently dropped. Issue paths are relative
 * to the definition (`items[3].scale`), or prefixed with `path`.
 */
export function parseOwnInstrument(input: unknown, path = ''): Validated<Instrument> {
  const issues: Issue[] = unknownKeys(InstrumentSchema, input, path);
  const r = parseInstrument(input);
  if (!r.ok)
    issues.push(
      ...r.issues.map((i) => ({ ...i, path: path && i.path ? `${path}.${i.path}` : path || i.path })),
    );
  return issues.length || !r.ok ? { ok: false, issues } : r;
}
