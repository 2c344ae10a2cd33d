/**
 * Shared pieces of the studio routes: the context every feature gets, loading a study with the caller's role,
 * sending a page in the layout, saving a new definition version (validated, audited), and the analysis run.
 */
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { analyzeStudy } from '../../core/analysis/analyzeStudy.js';
import type { Issue } from '../../core/instrument/schema.js';
import type { Report } from '../../core/report/spec.js';
import type { Answers } from '../../core/response/answer.js';
import type { Dataset } from '../../core/response/dataset.js';
import { buildScoringPlan, type ScoredDataset, scoreDataset } from '../../core/scoring/index.js';
import { studyTitleText } from '../../core/study/i18n.js';
import { type ResolvedStudy, resolvedLookup } from '../../core/study/resolve.js';
import type { Store, Study, StudyRole, User } from '../../store/index.js';
import { requireStudyRole } from '../auth/guard.js';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../errors.js';
import { parseParams, segment } from '../request.js';
import type { Html } from '../ui/html.js';
import { datasetFromAnswers } from './dataset.js';
import {
  applyAcknowledgements,
  type CheckedDefinition,
  checkDefinition,
  cloneDefinition,
  consentTextOf,
  type StudyDraft,
} from './definition.js';
import { type LayoutStudy, layout, type StudyTab, sendPage } from './layout.js';

export interface StudioContext {
  readonly store: Store;
  readonly config: ServerConfig;
}

export interface StudyRequest {
  readonly user: User;
  readonly role: StudyRole;
  readonly study: Study;
  readonly layoutStudy: LayoutStudy;
}

/** Studio routes under /studies/:id. */
const StudyParams = z.object({ id: segment });

/** The study in `:id`, if the signed-in user has one of `roles` on it (401/404/403 otherwise, see guard.ts). */
export async function loadStudy(req: FastifyRequest, roles: readonly StudyRole[]): Promise<StudyRequest> {
  const { id } = parseParams(req, StudyParams);
  const r = await requireStudyRole(req, id, roles);
  return {
    ...r,
    layoutStudy: { id: r.study.id, title: r.study.title, status: r.study.status, role: r.role },
  };
}

/** Send a page in the studio layout, with a fresh CSRF token for its forms. */
export function page(
  reply: FastifyReply,
  input: {
    title: string;
    user: User;
    /** The page's content: its view's Html. */
    body: (csrf: string) => Html;
    study?: LayoutStudy;
    active?: StudyTab;
    status?: number;
    /** A token generated earlier for this reply (when the body was built first). */
    csrf?: string;
  },
): FastifyReply {
  const csrf = input.csrf ?? reply.generateCsrf();
  return sendPage(
    reply,
    layout({
      title: input.title,
      user: input.user,
      csrf,
      body: input.body(csrf),
      study: input.study,
      active: input.active,
    }),
    input.status ?? 200,
  );
}

/** 303 See Other (after a successful POST). */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
}

/** Who acknowledged each instrument's terms for a study, for `termsAcknowledged`. */
async function acknowledgementMap(
  store: Store,
  studyId: number,
): Promise<Map<string, { by: string; at: string }>> {
  const out = new Map<string, { by: string; at: string }>();
  for (const a of await store.acknowledgements.list(studyId)) {
    if (out.has(a.instrumentId)) continue;
    const u = await store.users.byId(a.userId);
    out.set(a.instrumentId, {
      by: u ? `${u.displayName} <${u.email}>` : `user ${a.userId}`,
      at: a.acknowledgedAt.toISOString(),
    });
  }
  return out;
}

/** The study's current definition as a mutable draft. */
export function draftOf(study: Study): StudyDraft {
  return cloneDefinition(study.definition);
}

/** The study's current definition, checked (throws a 500-free HttpError(409) when it no longer resolves). */
export function checkedOf(study: Study): CheckedDefinition | { issues: readonly Issue[] } {
  const c = checkDefinition(study.definition);
  return c.ok ? c.value : { issues: c.issues };
}

/**
 * Save a new version of a study's definition: acknowledgements applied from the store, the whole definition
 * checked (nothing is saved when it does not resolve or its flow does not build), then the version row, the
 * study's settings columns (title, anonymity, times, k) and an audit entry, in that order.
 */
export async function saveDefinition(
  ctx: StudioContext,
  input: {
    study: Study;
    user: User;
    draft: StudyDraft;
    /** What changed, for the audit log (no respondent data). */
    change: string;
    detail?: Record<string, unknown>;
  },
): Promise<{ ok: true; version: number } | { ok: false; issues: readonly Issue[] }> {
  const { store } = ctx;
  const draft = applyAcknowledgements(input.draft, await acknowledgementMap(store, input.study.id));
  const checked = checkDefinition(draft);
  if (!checked.ok) return { ok: false, issues: checked.issues };
  const col = checked.value.resolved.study.collection;
  const v = await store.audited(
    async (tx) => {
      const saved = await tx.studies.updateDefinition({
        studyId: input.study.id,
        definition: draft,
        consentText: consentTextOf(draft),
        userId: input.user.id,
      });
      if (!saved) throw new HttpError(404, 'Study not found.', 'not_found');
      await tx.studies.setSettings({
        studyId: input.study.id,
        title: studyTitleText(checked.value.resolved.study),
        anonymous: col.anonymous,
        recordTimes: col.collectTimes,
        minCellSize: col.minCellSize,
      });
      return saved;
    },
    (saved) => ({
      action: 'study.update',
      studyId: input.study.id,
      actorUserId: input.user.id,
      detail: { change: input.change, version: saved.version, ...(input.detail ?? {}) },
    }),
  );
  return { ok: true, version: v.version };
}

/**
 * Stored answers of a study, one response at a time (only the positions in `include` when given), each shown
 * to `observe` first (all of them, in storage order: the burst detector rides along the analysis pass).
 */
async function* answersOf(
  store: Store,
  studyId: number,
  include?: ReadonlySet<number>,
  observe?: (answers: Answers) => void,
  waves?: Map<number, number>,
): AsyncGenerator<Answers> {
  let position = 0;
  for await (const r of store.responses.iterate(studyId)) {
    observe?.(r.answers);
    if (!include || include.has(position)) {
      if (waves) waves.set(r.referralWave ?? 0, (waves.get(r.referralWave ?? 0) ?? 0) + 1);
      yield r.answers;
    }
    position++;
  }
}

/**
 * Dataset and scores of a study's responses under its current definition (only the positions in storage order
 * that `include` lists, when given: a viewer's snapshot).
 */
export async function scoredResponses(
  store: Store,
  study: Study,
  resolved: ResolvedStudy,
  include?: ReadonlySet<number>,
  observe?: (answers: Answers) => void,
): Promise<{ dataset: Dataset; scored: ScoredDataset; waves?: { wave: number; n: number }[] }> {
  const count = include ? include.size : await store.responses.count(study.id);
  // Respondents per referral wave (studies with referral links), for the report's recruitment sentence.
  const waves = resolved.study.collection.referrals ? new Map<number, number>() : undefined;
  const dataset = await datasetFromAnswers(
    resolved,
    answersOf(store, study.id, include, observe, waves),
    count,
  );
  const plan = buildScoringPlan(resolved.study, resolvedLookup(resolved));
  if (!plan.ok) {
    throw new HttpError(
      409,
      `The study's scoring plan is not valid: ${plan.issues.map((i) => i.message).join('; ')}`,
      'invalid_study',
    );
  }
  return {
    dataset,
    scored: scoreDataset(dataset, plan.value),
    ...(waves ? { waves: [...waves].map(([wave, n]) => ({ wave, n })) } : {}),
  };
}

/**
 * The analysis report of a study's responses (those in `include`: a viewer's snapshot), suppressing
 * cells below the study's k (for every role), with group comparisons by `groupBy` (single-choice questions;
 * unknown ids are dropped).
 */
export async function studyReport(
  store: Store,
  study: Study,
  resolved: ResolvedStudy,
  groupBy: readonly string[],
  generatedBy: string,
  include?: ReadonlySet<number>,
  observe?: (answers: Answers) => void,
): Promise<{ report: Report; n: number }> {
  const { dataset, scored, waves } = await scoredResponses(store, study, resolved, include, observe);
  const groups = groupBy.filter((g) => resolved.variables.get(g)?.item.type === 'single');
  const report = analyzeStudy({
    resolved,
    dataset,
    scored,
    generatedBy,
    minCellSize: Math.max(1, study.minCellSize),
    groupBy: groups,
    ...(waves ? { waves } : {}),
    ...(study.waveOf !== null ? { followUpWave: study.waveLabel ?? 'follow-up' } : {}),
  });
  return { report, n: dataset.n };
}
