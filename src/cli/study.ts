/**
 * Loading a study for the CLI: a study file (whose own instruments may live in files next to it), or a single
 * instrument — a library id or an own instrument file — with its official scoring. Files are read here; core
 * gets the parsed definitions.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { parseOwnInstrument } from '../core/instrument/own.js';
import type { Instrument } from '../core/instrument/schema.js';
import { IdSchema } from '../core/instrument/schema.js';
import { unknownKeys } from '../core/instrument/unknownKeys.js';
import { type ResolvedStudy, resolveStudy, studyForInstrument } from '../core/study/resolve.js';
import { StudySchema } from '../core/study/schema.js';
import { getInstrument, instrumentIds } from '../instruments/index.js';
import { CliError, usageError } from './errors.js';
import { issuesError, readJsonFile } from './io.js';

/** Read and validate an own instrument file (schemas/instrument.schema.json); errors name the file and the JSON path. */
export function loadInstrumentFile(path: string, context = ''): Instrument {
  const r = parseOwnInstrument(readJsonFile(path, 'instrument file'));
  if (!r.ok) throw issuesError(`Instrument file "${path}"${context}`, r.issues);
  return r.value;
}

/**
 * The study file's JSON with each `{ "file": "x.instrument.json" }` instrument replaced by the file's
 * definition (`"definition"`), read relative to the study file. Each file is validated on its own first, so
 * its errors name the file and the path inside it.
 */
function withInstrumentFiles(raw: unknown, studyPath: string): unknown {
  const list = (raw as { instruments?: unknown } | null)?.instruments;
  if (!Array.isArray(list)) return raw;
  const instruments = list.map((si: unknown, i) => {
    if (si === null || typeof si !== 'object' || !('file' in si)) return si;
    const { file, ...rest } = si as { file: unknown; definition?: unknown };
    if (typeof file !== 'string' || file === '')
      throw new CliError(
        `Study file "${studyPath}": instruments[${i}].file must be the path of an instrument file (relative to the study file), got ${JSON.stringify(file)}`,
      );
    if (rest.definition !== undefined)
      throw new CliError(
        `Study file "${studyPath}": instruments[${i}] has both "file" and "definition"; keep one`,
      );
    const path = resolvePath(dirname(studyPath), file);
    const definition = readJsonFile(path, `instrument file (instruments[${i}].file of "${studyPath}")`);
    const r = parseOwnInstrument(definition);
    if (!r.ok)
      throw issuesError(`Instrument file "${path}" (instruments[${i}].file of "${studyPath}")`, r.issues);
    return { ...rest, definition };
  });
  return { ...(raw as object), instruments };
}

/** A study file (and the instrument files it names) read, checked and resolved; errors name the file and the fix. */
export function readStudyFile(path: string): ResolvedStudy {
  const raw = readJsonFile(path, 'study file');
  // A study file is typed by hand: a misspelt key ("officialScore", "groupby") is an error, not dropped.
  // (Inline instrument definitions are checked the same way by resolveStudy.)
  const typos = unknownKeys(StudySchema, raw).filter((i) => !/\.definition\./.test(i.path));
  if (typos.length) throw issuesError(`Study file "${path}"`, typos);
  const r = resolveStudy(withInstrumentFiles(raw, path), getInstrument, instrumentIds());
  if (!r.ok) throw issuesError(`Study file "${path}"`, r.issues);
  return r.value;
}

/** Whether `--instrument X` names a library id (ids have no dots or slashes) rather than a file. */
export function isInstrumentFile(idOrPath: string): boolean {
  return !IdSchema.safeParse(idOrPath).success;
}

/** A study of one instrument: a library id (`phq9`) or an own instrument file (`./my-scale.instrument.json`). */
function studyOfInstrument(idOrPath: string): ResolvedStudy {
  const own = isInstrumentFile(idOrPath);
  const r = resolveStudy(
    studyForInstrument(own ? loadInstrumentFile(idOrPath) : idOrPath),
    getInstrument,
    instrumentIds(),
  );
  if (!r.ok) throw issuesError(own ? `Instrument file "${idOrPath}"` : `Instrument "${idOrPath}"`, r.issues);
  return r.value;
}

/** The study a command names: a study file (`--study`) or one instrument (`--instrument`). */
type StudySource = { readonly study: string } | { readonly instrument: string };

/**
 * The study source of exactly one of `--study STUDY.json` / `--instrument ID|FILE`; a usage error otherwise.
 * Commands check it with their other options, before reading any file ({@link loadStudy} reads it).
 */
export function studySource(values: { study?: string; instrument?: string }, usage: string): StudySource {
  if (values.study && !values.instrument) return { study: values.study };
  if (values.instrument && !values.study) return { instrument: values.instrument };
  throw usageError('give exactly one of --study or --instrument', usage);
}

/** The study a source names, read, checked and resolved. */
export function loadStudy(source: StudySource): ResolvedStudy {
  return 'study' in source ? readStudyFile(source.study) : studyOfInstrument(source.instrument);
}
