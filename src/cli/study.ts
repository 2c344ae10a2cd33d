/** Loading a study for the CLI: a study file, or a single library instrument with its official scoring. */
import { type ResolvedStudy, resolveStudy, studyForInstrument } from '../core/study/resolve.js';
import { getInstrument, instrumentIds } from '../instruments/index.js';
import { issuesError, readJsonFile } from './io.js';

export function loadStudy(path: string): ResolvedStudy {
  const r = resolveStudy(readJsonFile(path, 'study file'), getInstrument, instrumentIds());
  if (!r.ok) throw issuesError(`Study file "${path}"`, r.issues);
  return r.value;
}

export function studyOfInstrument(id: string): ResolvedStudy {
  const r = resolveStudy(studyForInstrument(id), getInstrument, instrumentIds());
  if (!r.ok) throw issuesError(`Instrument "${id}"`, r.issues);
  return r.value;
}
