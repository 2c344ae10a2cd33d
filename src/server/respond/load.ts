/**
 * Loading a study for respondents: the stored definition resolved against the instrument library, its page
 * flow and its scoring plan (for the safety check), cached per study version — a version's definition never
 * changes, so the cache needs no invalidation, only a bound.
 */
import { QUOTA_COUNTER, type RespondFlow } from '../../core/respond/engine.js';
import { buildScoringPlan } from '../../core/scoring/index.js';
import { buildFollowUp } from '../../core/study/followUp.js';
import { buildFlow } from '../../core/study/pages.js';
import { resolvedLookup, resolveStudy } from '../../core/study/resolve.js';
import { getInstrument, instrumentIds } from '../../instruments/index.js';
import type { Store, Study } from '../../store/index.js';
import { HttpError } from '../errors.js';

/** A study version ready to be answered (the engine's RespondFlow). */
export type LoadedStudy = RespondFlow;

const MAX_CACHED = 256;
/** Studies kept by link token (the least recently added is dropped first). */
const MAX_CACHED_STUDIES = 256;
/** How long a kept study's status and version are trusted before they are read again, in ms. */
const LINK_STATE_MAX_AGE_MS = 1000;

/** Whether a string can be a study link's token (anything else names no study and is not looked up). */
export function isLinkToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{6,64}$/.test(token);
}

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
  const fu = buildFollowUp(r.value, p.value);
  if (!fu.ok) throw definitionError(fu.issues);
  return {
    version,
    resolved: r.value,
    flow: f.value,
    plan: p.value,
    ...(fu.value ? { followUp: fu.value } : {}),
  };
}

function definitionError(issues: readonly { path: string; message: string }[]): HttpError {
  const first = issues[0];
  return new HttpError(
    500,
    `The study's definition cannot be used${first ? ` (${first.path}: ${first.message})` : ''}; its owner must fix it in the studio.`,
    'bad_definition',
  );
}

/**
 * The one study cache of the respondent side (form routes, JSON API, studio preview): studies by link token,
 * and prepared study versions keyed by study id and version (bounded).
 */
export class StudyCache {
  private readonly entries = new Map<string, LoadedStudy>();
  private readonly studies = new Map<string, { study: Study; checkedAt: number }>();
  private readonly totals = new Map<number, { n: number; checkedAt: number }>();

  constructor(private readonly store: Store) {}

  /**
   * The kept study of a link token when it was checked within the last second and takes new responses through
   * its open link (open, not invitation-only): what {@link byToken} would give without reading, and at once
   * (no promise), for the ingestion path. Undefined otherwise: then use byToken.
   */
  recent(token: string): Study | undefined {
    const hit = this.studies.get(token);
    if (hit === undefined || performance.now() - hit.checkedAt >= LINK_STATE_MAX_AGE_MS) return undefined;
    const s = hit.study;
    return s.status === 'open' && !s.invitationOnly ? s : undefined;
  }

  /**
   * The study by its link token, without a full read on every request: the study (with its parsed definition)
   * is kept per token and its small, changing part (status, version, privacy settings) is re-read at most once
   * a second, or at once with `fresh` (before a refusal). That is safe because the insert checks again, in its
   * own transaction, that the study exists and is open and that the answered version exists; a submission
   * validated against a version replaced within that second is stored as an answer to that version, as a
   * respondent who opened the form before the change is. Privacy settings are read by the insert itself.
   */
  async byToken(token: string, fresh = false): Promise<Study | undefined> {
    const hit = this.studies.get(token);
    const now = performance.now();
    if (hit && !fresh && now - hit.checkedAt < LINK_STATE_MAX_AGE_MS) return hit.study;
    const row = await this.store.studies.linkState(token);
    if (!row) {
      this.studies.delete(token);
      return undefined;
    }
    if (
      hit &&
      hit.study.id === row.id &&
      hit.study.status === row.status &&
      hit.study.version === row.version &&
      hit.study.anonymous === row.anonymous &&
      hit.study.recordTimes === row.recordTimes &&
      hit.study.invitationOnly === row.invitationOnly
    ) {
      hit.checkedAt = now;
      return hit.study;
    }
    const study = await this.store.studies.byPublicToken(token);
    this.studies.delete(token);
    if (study) {
      this.studies.set(token, { study, checkedAt: now });
      if (this.studies.size > MAX_CACHED_STUDIES) {
        const oldest = this.studies.keys().next();
        if (!oldest.done) this.studies.delete(oldest.value);
      }
    }
    return study;
  }

  /**
   * The study behind a respondent link (the form pages, the volunteer pages), or HttpError(404) "Study not
   * found." for a token that cannot be one, an unknown token, or a draft study — unless `draft` (a preview,
   * whose caller checks the role).
   */
  async linked(token: string, options: { readonly draft?: boolean } = {}): Promise<Study> {
    const study = isLinkToken(token) ? await this.byToken(token) : undefined;
    if (!study || (study.status === 'draft' && !options.draft))
      throw new HttpError(404, 'Study not found.', 'not_found');
    return study;
  }

  /**
   * The responses a study has collected towards its quota (the {@link QUOTA_COUNTER} total), read at most once
   * a second per study: which page a request shows (the study's closed page once the quota is reached) needs
   * no query of its own on most requests, and never a COUNT over the responses. The insert enforces the quota
   * itself, in its transaction, so a count a second old can only show the form a moment longer.
   */
  collected(studyId: number): number | Promise<number> {
    const hit = this.totals.get(studyId);
    const now = performance.now();
    if (hit && now - hit.checkedAt < LINK_STATE_MAX_AGE_MS) return hit.n;
    return this.store.counters.total(studyId, QUOTA_COUNTER).then((n) => {
      this.totals.delete(studyId);
      this.totals.set(studyId, { n, checkedAt: now });
      if (this.totals.size > MAX_CACHED_STUDIES) {
        const oldest = this.totals.keys().next();
        if (!oldest.done) this.totals.delete(oldest.value);
      }
      return n;
    });
  }

  /**
   * What this process just learnt from a submission: a response `stored` adds one to the kept total (the
   * counter has that increment committed); `full` (the insert found the quota reached) forgets it, so the next
   * request reads it again and shows the closed page.
   */
  noteCollected(studyId: number, what: 'stored' | 'full'): void {
    const hit = this.totals.get(studyId);
    if (!hit) return;
    if (what === 'full') this.totals.delete(studyId);
    else hit.n++;
  }

  /**
   * A link's study as this process last loaded it (its current version, prepared), at once and without reading
   * anything: for an error page (respond/errorPage.ts), which must not query. Undefined when the study or its
   * version is not kept, or is a draft.
   */
  kept(token: string): LoadedStudy | undefined {
    const hit = this.studies.get(token);
    if (!hit || hit.study.status === 'draft') return undefined;
    return this.entries.get(`${hit.study.id}:${hit.study.version}`);
  }

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
