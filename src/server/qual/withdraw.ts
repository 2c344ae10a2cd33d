/**
 * Consent withdrawn: `POST /studies/:id/qual/participants/:pid/withdraw` (owner only, with `confirm=1`)
 * deletes a participant with their member-check packet and corrections, unlinks their speaker turns (the
 * words stay in the transcripts, under the speaker label, until the researcher removes them with a
 * transcript correction), and — by the store's rule — deletes every recording they speak in, since a voice
 * cannot be cut out of a recording. One plan: all of it or nothing, each change audited.
 */
import type { FastifyInstance } from 'fastify';
import type { Participant, Turn } from '../../core/qual/model.js';
import type { QualChange, QualState } from '../../store/index.js';
import { HttpError } from '../errors.js';
import { segments } from '../request.js';
import {
  applyPlan,
  bodyOf,
  csrfInput,
  esc,
  field,
  loadQual,
  QUAL_ROLES,
  type QualContext,
  qualBase,
  refuse,
  seeOther,
} from './common.js';

/** A participant's turns, unlinked: no participant, role unknown (the label stays). Null when none was theirs. */
export function unlinkTurns(turns: readonly Turn[], participantId: string): Turn[] | null {
  if (!turns.some((t) => t.participantId === participantId)) return null;
  return turns.map((t) =>
    t.participantId === participantId ? { ...t, participantId: null, role: 'unknown' } : t,
  );
}

/** The changes that delete a participant whose consent was withdrawn (see the module comment). */
export function withdrawalChanges(state: QualState, participantId: string): QualChange[] {
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

/** The participants page's withdrawal form for one participant (the owner's). */
export function withdrawForm(base: string, csrf: string, p: Participant): string {
  return (
    `<form method="post" action="${base}/participants/${esc(encodeURIComponent(p.id))}/withdraw" class="stack">${csrfInput(csrf)}` +
    `<label class="check"><input type="checkbox" name="confirm" value="1" required> ${esc(p.pseudonym)} withdrew consent: delete them, their member-check packet and corrections, and every recording they speak in (their words stay in the transcripts, unlinked)</label>` +
    '<p><button class="danger">Delete (consent withdrawn)</button></p></form>'
  );
}

export function registerWithdraw(app: FastifyInstance, ctx: QualContext): void {
  app.post('/studies/:id/qual/participants/:pid/withdraw', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.owner);
    const { pid } = segments(req, 'pid');
    if (field(bodyOf(req), 'confirm') !== '1')
      throw new HttpError(
        400,
        'Tick the box to confirm that the participant withdrew consent; nothing was deleted.',
        'validation',
      );
    await applyPlan(ctx, q, (state) =>
      state.get('participant', pid)
        ? { changes: withdrawalChanges(state, pid), result: null }
        : refuse('not_found', 'That participant no longer exists.'),
    );
    return seeOther(reply, `${qualBase(q.study.id)}/participants`);
  });
}
