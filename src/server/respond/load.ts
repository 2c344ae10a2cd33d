/**
 * Loading a study for respondents: the stored definition resolved against the instrument library, its page
 * flow and its scoring plan (for the safety check), cached per study version — a version's definition never
 * changes, so the cache needs no invalidation, only a bound.
 */
import { buildScoringPlan, type ScoringPlan } from '../../core/scoring/index.js';
import { buildFlow, type Flow } from '../../core/study/pages.js';
import { type ResolvedStudy, resolvedLookup, resolveStudy } from '../../core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../instruments/index.js';
import type { Store, Study } from '../../store/index.js';
import { HttpError } from '../errors.js';

/** A study version ready to be answered. */
export interface LoadedStudy {
  readonly version: number;
  readonly resolved: ResolvedStudy;
  readonly flow: Flow;
  readonly plan: ScoringPlan;
}

const MAX_CACHED = 256;

/**
 * Resolve a definition into flow and scoring plan. Throws HttpError(500) naming the first problem when a stored
 * definition does not resolve (the studio checks definitions before launch, so this is a server-side fault).
 */
export function prepareDefinition(definition: unknown, version: number): LoadedStudy {
  const r = resolveStudy(definition, getInstrument, instrumentIds());
  if (!r.ok) throw definitionError(r.issues);
  const f = buildFlow(r.value);
  if (!f.ok) throw definitionError(f.issues);
  const p = buildScoringPlan(r.value.study, resolvedLookup(r.value));
  if (!p.ok) throw definitionError(p.issues);
  return { version, resolved: r.value, flow: f.value, plan: p.value };
}

function definitionError(issues: readonly { path: string; message: string }[]): HttpError {
  const first = issues[0];
  return new HttpError(
    500,
    `The study's definition cannot be used${first ? ` (${first.path}: ${first.message})` : ''}; its owner must fix it in the studio.`,
    'bad_definition',
  );
}

/** A bounded cache of prepared study versions, keyed by study id and version. */
export class StudyCache {
  private readonly entries = new Map<string, LoadedStudy>();

  constructor(private readonly store: Store) {}

  /** The study's current version (its definition is on the row already). */
  current(study: Study): LoadedStudy {
    return this.remember(`${study.id}:${study.version}`, () =>
      prepareDefinition(study.definition, study.version),
    );
  }

  /** A given version of the study (e.g. the one a draft was started on); undefined when it does not exist. */
  async version(study: Study, version: number): Promise<LoadedStudy | undefined> {
    if (version === study.version) return this.current(study);
    const key = `${study.id}:${version}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const v = await this.store.studies.version({ studyId: study.id, version });
    if (!v) return undefined;
    return this.remember(key, () => prepareDefinition(v.definition, version));
  }

  private remember(key: string, make: () => LoadedStudy): LoadedStudy {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const made = make();
    this.entries.set(key, made);
    while (this.entries.size > MAX_CACHED) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return made;
  }
}
