/**
 * Consent withdrawn: `POST /studies/:id/qual/participants/:pid/withdraw` (owner only, with `confirm=1`)
 * deletes a participant with their member-check packet and corrections, unlinks their speaker turns (the
 * words stay in the transcripts, under the speaker label, until the researcher removes them with a
 * transcript correction), and — by the store's rule — deletes every recording they speak in, since a voice
 * cannot be cut out of a recording. One plan: all of it or nothing, each change audited.
 */
import type { FastifyInstance } from 'fastify';
import { consentAuditView, withdrawConsents } from '../../core/qual/consent.js';
import type { Participant, Turn } from '../../core/qual/model.js';
import type { QualChange, QualPlan, QualState } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, field } from '../form.js';
import { segments } from '../request.js';
import { type Html, html } from '../ui/html.js';
import {
  applyPlan,
  csrfInput,
  loadQual,
  nowIso,
  type QualContext,
  qualBase,
  refuse,
  seeOther,
} from './common.js';

/** A participant's turns, unlinked: no participant, role unknown (the label stays). Null when none was theirs. */
function unlinkTurns(turns: readonly Turn[], participantId: string): Turn[] | null {
  if (!turns.some((t) => t.participantId === participantId)) return null;
  return turns.map((t) =>
    t.participantId === participantId ? { ...t, participantId: null, role: 'unknown' } : t,
  );
}

/** The changes that delete a participant whose consent was withdrawn (see the module comment). */
function withdrawalChanges(state: QualState, participantId: string): QualChange[] {
  const changes: QualChange[] = [];
  for (const s of state.entities.source) {
    const turns = unlinkTurns(s.data.turns, participantId);
    if (turns)
      changes.push({
        kind: 'source',
        id: s.id,
        expect: 'any',
        data: { ...s.data, turns },
        audit: { action: 'source.unlink_withdrawn', before: { participantId }, after: null },
      });
  }
  for (const c of state.entities.correction)
    if (c.data.participantId === participantId)
      changes.push({
        kind: 'correction',
        id: c.id,
        expect: 'any',
        data: null,
        audit: { before: { id: c.id, participantId }, after: null },
      });
  if (state.get('member_check', participantId))
    changes.push({ kind: 'member_check', id: participantId, expect: 'any', data: null });
  changes.push({
    kind: 'participant',
    id: participantId,
    expect: 'any',
    data: null,
    audit: { action: 'participant.withdraw' },
  });
  return changes;
}

/**
 * The register's side of a withdrawal: the participant's live consent records get the withdrawal (audited
 * as `consent.withdraw`, the names signed with masked). Undefined when they have no live record.
 */
function consentWithdrawal(
  state: QualState,
  participantId: string,
  by: string,
  note: string,
): QualPlan<null>['project'] {
  const doc = state.project.doc;
  const live = doc.consents.filter((r) => r.participantId === participantId && !r.withdrawal);
  if (!live.length) return undefined;
  const consents = withdrawConsents(doc.consents, participantId, { at: nowIso(), by, note });
  const after = consents.filter((r) => live.some((l) => l.id === r.id));
  return {
    doc: { ...doc, consents },
    audit: {
      action: 'consent.withdraw',
      before: live.map(consentAuditView),
      after: after.map(consentAuditView),
    },
  };
}

/** The participants page's withdrawal form for one participant (the owner's). */
export function withdrawForm(base: string, csrf: string, p: Participant): Html {
  return html`<form method="post" action="${base}/participants/${encodeURIComponent(p.id)}/withdraw" class="stack">${csrfInput(csrf)}<label class="check"><input type="checkbox" name="confirm" value="1" required> ${p.pseudonym} withdrew consent: delete them, their member-check packet and corrections, and every recording they speak in (their words stay in the transcripts, unlinked)</label><div class="field"><label for="wd-${p.id}">Note for the consent register (optional: how and when they withdrew)</label><input type="text" id="wd-${p.id}" name="note" maxlength="2000" dir="auto"></div><p><button class="danger">Delete (consent withdrawn)</button></p></form>`;
}

export function registerWithdraw(app: FastifyInstance, ctx: QualContext): void {
  app.post('/studies/:id/qual/participants/:pid/withdraw', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.owner);
    const { pid } = segments(req, 'pid');
    if (field(asForm(req.body), 'confirm') !== '1')
      throw new HttpError(
        400,
        'Tick the box to confirm that the participant withdrew consent; nothing was deleted.',
        'validation',
      );
    const note = field(asForm(req.body), 'note').slice(0, 2000);
    await applyPlan(ctx, q, (state) => {
      if (!state.get('participant', pid)) return refuse('not_found', 'That participant no longer exists.');
      const project = consentWithdrawal(state, pid, q.actor.coderId, note);
      return { changes: withdrawalChanges(state, pid), ...(project ? { project } : {}), result: null };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/participants`);
  });
}
