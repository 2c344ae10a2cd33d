/**
 * Bursts of near-identical responses and their review (docs/security.md, finding 2).
 *
 * Anyone with an open link can pad a small group over k with made-up responses and read the real person's
 * values. `src/core/privacy/bursts.ts` flags responses that arrive just after near-identical ones; a flagged
 * response stays out of every viewer's aggregates until an owner or analyst reviews its burst on the analysis
 * page: "Keep" lets it into viewers' aggregates, "Exclude" keeps it out for good. Owners and analysts always
 * analyse every response (they can export the rows anyway); nothing is ever deleted.
 *
 * Decisions are audit-log entries (`responses.review`, append-only and hash-chained), naming responses by their
 * position in the study's storage order (1 = first stored; never the server-wide id), with `releasedAfter`: how
 * many responses the study had at the decision. A kept response joins viewers' snapshot order after those, so
 * releasing it never shifts an already published snapshot by one person (see `viewerSelection`).
 */
import type { FastifyInstance } from 'fastify';
import { BurstDetector, groupBursts } from '../../core/privacy/bursts.js';
import { audienceOf, snapshotSize } from '../../core/privacy/suppression.js';
import type { Answers } from '../../core/response/answer.js';
import { at } from '../../core/stats/at.js';
import type { Store, Study, StudyRole } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm } from '../form.js';
import { EMPTY, type Html, html } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';
import { loadStudy, type StudioContext, seeOther } from './common.js';
import { field } from './definition.js';
import { postButton } from './layout.js';

const REVIEW_ACTION = 'responses.review';

type Decision = 'keep' | 'exclude';

interface Review {
  readonly decision: Decision;
  readonly releasedAfter: number;
}

/** The latest review decision of each reviewed position (0-based), from the study's audit log. */
async function reviewsOf(store: Store, studyId: number): Promise<Map<number, Review>> {
  const entries = [];
  let beforeId: number | undefined;
  for (;;) {
    const page = await store.audit.listForStudy(studyId, {
      action: REVIEW_ACTION,
      limit: 500,
      ...(beforeId !== undefined ? { beforeId } : {}),
    });
    entries.push(...page);
    if (page.length < 500) break;
    beforeId = at(page, page.length - 1).id;
  }
  const out = new Map<number, Review>();
  // Oldest first, so a later decision replaces an earlier one.
  for (const e of entries.reverse()) {
    const d = e.detail as { rows?: unknown; decision?: unknown; releasedAfter?: unknown };
    if ((d.decision !== 'keep' && d.decision !== 'exclude') || !Array.isArray(d.rows)) continue;
    const releasedAfter = typeof d.releasedAfter === 'number' ? d.releasedAfter : 0;
    for (const r of d.rows)
      if (Number.isSafeInteger(r) && r >= 1) out.set(r - 1, { decision: d.decision, releasedAfter });
  }
  return out;
}

interface Flags {
  /** How many responses the study has. */
  readonly total: number;
  /** Flagged positions (0-based), grouped into bursts. */
  readonly bursts: readonly (readonly number[])[];
  readonly reviews: ReadonlyMap<number, Review>;
}

/** Collects the flags of a study's responses, pushed in storage order (e.g. during the analysis pass). */
export class FlagCollector {
  private readonly detector = new BurstDetector();
  private readonly flagged: number[] = [];
  private total = 0;

  push(answers: Answers): void {
    if (this.detector.push(answers)) this.flagged.push(this.total);
    this.total++;
  }

  /** The flags, with the study's review decisions. */
  async finish(store: Store, studyId: number): Promise<Flags> {
    return { total: this.total, bursts: groupBursts(this.flagged), reviews: await reviewsOf(store, studyId) };
  }
}

/** The study's flagged responses (one pass over the stored answers) and review decisions. */
export async function flagsOf(store: Store, studyId: number): Promise<Flags> {
  const c = new FlagCollector();
  for await (const r of store.responses.iterate(studyId)) c.push(r.answers);
  return c.finish(store, studyId);
}

/**
 * The positions (0-based, storage order) of the responses a viewer's aggregates cover: flagged responses left
 * out unless kept, the rest in snapshot order (a kept response after the responses stored before its review),
 * cut to a whole number of batches of k (`snapshotSize`).
 */
export function viewerSelection(flags: Flags, k: number): Set<number> {
  const excluded = new Set<number>();
  for (const b of flags.bursts)
    for (const p of b) if (flags.reviews.get(p)?.decision !== 'keep') excluded.add(p);
  const order: { p: number; key: number }[] = [];
  for (let p = 0; p < flags.total; p++) {
    if (excluded.has(p)) continue;
    const review = flags.reviews.get(p);
    const flagged = review?.decision === 'keep' && flags.bursts.some((b) => b.includes(p));
    order.push({ p, key: flagged ? Math.max(p, review.releasedAfter - 0.5) : p });
  }
  order.sort((a, b) => a.key - b.key || a.p - b.p);
  return new Set(order.slice(0, snapshotSize(order.length, k)).map((o) => o.p));
}

/**
 * Which of a study's responses the caller's aggregates cover (docs/security.md, findings 1 and 2): roles that
 * can export the rows see all of them, live; a viewer sees the published snapshot (`viewerSelection`: flagged
 * responses left out until kept, whole batches of k), so no two page loads differ by one person and padding
 * with near-identical responses does not lift a group. `n` is what the caller may be told.
 */
export async function responsesView(
  store: Store,
  study: Study,
  role: StudyRole,
): Promise<
  | { audience: 'exact'; n: number; include?: undefined }
  | { audience: 'protected'; n: number; include: ReadonlySet<number> }
> {
  const audience = audienceOf(role);
  // Exact audiences: the flags for the review card ride along the analysis pass (FlagCollector).
  if (audience === 'exact') return { audience, n: await store.responses.count(study.id) };
  const include = viewerSelection(await flagsOf(store, study.id), study.minCellSize);
  return { audience, n: include.size, include };
}

/** The review card of the analysis page (owners and analysts), empty when nothing is flagged. */
export function reviewCard(studyId: number, flags: Flags, csrf: string): Html {
  if (!flags.bursts.length) return EMPTY;
  const rows = flags.bursts.map((b) => {
    const positions = b.map((p) => p + 1);
    const states = new Set(b.map((p) => flags.reviews.get(p)?.decision ?? 'not reviewed'));
    const state = [...states]
      .map((s) => (s === 'keep' ? 'kept' : s === 'exclude' ? 'excluded' : s))
      .join(', ');
    const action = (decision: Decision, label: string) =>
      postButton(`/studies/${studyId}/analysis/review`, csrf, label, {
        hidden: { rows: positions.join(','), decision },
      });
    // Each button names the responses it acts on ("Keep responses 4, 5 for viewers").
    const which = `response${positions.length === 1 ? '' : 's'} ${positions.join(', ')}`;
    return html`<tr><td>${positions.join(', ')}</td><td>${state}</td><td class="row">${action('keep', `Keep ${which} for viewers`)} ${action('exclude', `Exclude ${which} for viewers`)}</td></tr>`;
  });
  return html`<section class="card" id="review"><h2>Responses to review</h2><p class="hint">These responses came just after near-identical ones — possibly made up to lift a small group over k. They are in your analysis, but left out of what viewers see until you keep them. Rows are positions in the order responses were stored (as in the exports).</p>${scrollBox(
    'Responses to review',
    html`<table><thead><tr><th scope="col">Responses</th><th scope="col">Status</th><th scope="col">Decision</th></tr></thead><tbody>${rows}</tbody></table>`,
  )}</section>`;
}

export function registerReview(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;
  app.post('/studies/:id/analysis/review', async (req, reply) => {
    const s = await loadStudy(req, ROLES.work);
    const body = asForm(req.body);
    const decision = field(body, 'decision');
    if (decision !== 'keep' && decision !== 'exclude')
      throw new HttpError(400, `decision must be "keep" or "exclude", not "${decision}".`, 'bad_request');
    const flags = await flagsOf(store, s.study.id);
    const flagged = new Set(flags.bursts.flat().map((p) => p + 1));
    const rows = field(body, 'rows')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    const bad = rows.filter((r) => !/^[1-9][0-9]{0,9}$/.test(r) || !flagged.has(Number(r)));
    if (!rows.length || bad.length)
      throw new HttpError(
        400,
        `rows must list flagged responses (positions ${[...flagged].join(', ') || 'none'}); not flagged: ${bad.join(', ') || '(none given)'}.`,
        'bad_request',
      );
    await store.audit.append({
      action: REVIEW_ACTION,
      studyId: s.study.id,
      actorUserId: s.user.id,
      detail: { rows: rows.map(Number), decision, releasedAfter: flags.total },
    });
    return seeOther(reply, `/studies/${s.study.id}/analysis#review`);
  });
}
