/**
 * Member checking: per participant, a printable packet of their own turns only (English or Urdu page text),
 * with a version hash (SHA-256 of the turns it shows); a status per participant (sent → returned →
 * corrected → approved) with its history; and corrections recorded as tracked edits to the transcript
 * (what stood there, what replaced it, who, when, for which packet version). An edit moves every coder's
 * segments and the speaker turns after it, so no coding is lost; a segment that lay wholly inside the
 * replaced words ends up around the new words.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  locateCorrection,
  nextMemberCheck,
  type PacketItem,
  packetContent,
  RECORDED_STATUSES,
  shiftRange,
  shiftTurns,
  type TranscriptEdit,
} from '../../core/qual/members.js';
import type { Participant, QualProject } from '../../core/qual/model.js';
import { present } from '../../core/stats/at.js';
import type { QualChange, QualEntity, QualPlan, QualRefusal, QualState, Refused } from '../../store/index.js';
import { qualHash, toQualProject } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, field, rawField } from '../form.js';
import {
  formChoice,
  formOption,
  formText,
  formWholeNumber,
  parseBody,
  parseQuery,
  queryChoice,
  segments,
} from '../request.js';
import { useHeaders } from '../ui/headers.js';
import {
  applyPlan,
  type Coder,
  coderNames,
  ensureCoder,
  invalid,
  loadQual,
  newId,
  nowIso,
  type QualContext,
  qualBase,
  quoteRemovals,
  refuse,
  type StudyReq,
  seeOther,
  sendQualPage,
  stateOf,
} from './common.js';
import { type MembersModel, membersView, type Packet, packetView } from './membersView.js';

export type { PacketItem };

/** The member-checking packet of one participant (core's content and its version hash). */
function packetOf(project: QualProject, participantId: string): Packet | null {
  const content = packetContent(project, participantId);
  return content && { ...content, hash: qualHash(content.versionText) };
}

/** The packet's language: Urdu when asked for, else English. */
const PacketQuery = z.object({ lang: queryChoice(['en', 'ur'], 'en') });

/** The status form: the new status, the packet's language, a note, the version the page showed (0: none yet). */
const StatusForm = z.object({
  status: formChoice('Status', RECORDED_STATUSES),
  language: formOption(['en', 'ur'], 'en'),
  note: formText,
  version: formWholeNumber('version (the form is out of date; reload the page)', 0),
});

/** Record a status of a participant's packet (core's `nextMemberCheck`), as the member_check change. */
function memberCheckPlan(
  state: QualState,
  coder: Coder,
  pid: string,
  form: z.output<typeof StatusForm>,
): QualPlan<null> | Refused<QualRefusal> {
  const packet = packetOf(toQualProject(state), pid);
  if (!packet) return refuse('not_found', 'Participant not found.');
  const old = state.get('member_check', pid);
  const next = nextMemberCheck(pid, old?.data, {
    to: form.status,
    language: form.language,
    note: form.note,
    pseudonym: packet.participant.pseudonym,
    packetHash: packet.hash,
    hasCorrections: state.entities.correction.some((c) => c.data.participantId === pid),
    by: coder.actor.coderId,
    at: nowIso(),
  });
  // Out of order is a conflict with the packet's current status (409); a missing correction is bad input.
  if (!next.ok)
    return invalid(next.issues, '', next.issues[0]?.code === 'status_order' ? 'conflict' : 'invalid');
  const change: QualChange = {
    kind: 'member_check',
    id: pid,
    expect: old ? form.version : 'new',
    data: next.value,
    audit: { action: `member_check.${form.status}` },
  };
  return { changes: [...ensureCoder(state, coder), change], result: null };
}

/** Every participant's packet and member check, with coders named in the history. */
function membersModel(base: string, state: QualState): MembersModel {
  const project = toQualProject(state);
  const names = coderNames(state);
  return {
    base,
    rows: project.participants.map((p) => {
      const packet = present(packetOf(project, p.id), `the packet of participant ${p.id}`);
      const mc = state.get('member_check', p.id);
      return {
        participantId: p.id,
        pseudonym: p.pseudonym,
        items: packet.items,
        hash: packet.hash,
        status: mc?.data.status ?? 'not_sent',
        sentHash: mc?.data.versionHash ?? null,
        version: mc?.version ?? 0,
        language: mc?.data.language ?? 'en',
        history: (mc?.data.history ?? []).map((h) => ({ ...h, by: names.get(h.by) ?? h.by })),
        corrections: state.entities.correction
          .filter((c) => c.data.participantId === p.id)
          .map((c) => c.data),
      };
    }),
  };
}

export function registerMembers(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/member-checks', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const model = membersModel(qualBase(q.study.id), await stateOf(ctx, q));
    return sendQualPage(reply, {
      q,
      title: 'Member checking',
      section: 'members',
      body: (csrf) => membersView(model, csrf),
    });
  });

  app.get('/studies/:id/qual/member-checks/:pid/packet', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { pid } = segments(req, 'pid');
    const { lang } = parseQuery(req, PacketQuery);
    const project = toQualProject(await stateOf(ctx, q));
    const packet = packetOf(project, pid);
    if (!packet) throw new HttpError(404, 'Participant not found.', 'not_found');
    return useHeaders(reply.code(200), 'document')
      .type('text/html; charset=utf-8')
      .send(packetView(packet, lang, project.name).text);
  });

  app.post('/studies/:id/qual/member-checks/:pid/status', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { pid } = segments(req, 'pid');
    const form = parseBody(req, StatusForm);
    await applyPlan(ctx, q, (state) => memberCheckPlan(state, q, pid, form));
    return seeOther(reply, `${qualBase(q.study.id)}/member-checks`);
  });

  app.post('/studies/:id/qual/member-checks/:pid/corrections', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { pid } = segments(req, 'pid');
    const b = asForm(req.body);
    const [sourceId, turnText] = field(b, 'turn').split('|');
    const find = rawField(b, 'find').normalize('NFC');
    const replace = rawField(b, 'replace').normalize('NFC');
    const note = field(b, 'note');
    if (find.trim() === '')
      throw new HttpError(
        400,
        'Give the words as they stand in the transcript (copy them from the packet).',
        'validation',
      );
    await applyPlan(ctx, q, (state) => {
      const src = state.get('source', sourceId ?? '');
      if (!src) return refuse('not_found', 'Transcript not found.');
      const turn = src.data.turns.find((t) => String(t.index) === turnText);
      if (!turn || turn.participantId !== pid)
        return refuse('invalid', 'A participant can correct only their own turns; choose one of theirs.');
      const located = locateCorrection(src.data.source.text, turn, find, replace);
      if (!located.ok) return refuse('invalid', located.message);
      return {
        changes: correctionChanges(state, q, src, located.edit, { pid, find, replace, note }),
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/member-checks`);
  });
}

export type { Participant };

/** The changes of a correction: the edited transcript, the correction record, moved or removed segments. */
function correctionChanges(
  state: QualState,
  q: StudyReq,
  src: QualEntity<'source'>,
  edit: TranscriptEdit,
  c: { pid: string; find: string; replace: string; note: string },
): QualChange[] {
  const mc = state.get('member_check', c.pid);
  const correction = {
    id: newId('corr'),
    participantId: c.pid,
    sourceId: src.id,
    start: edit.start,
    end: edit.end,
    before: c.find,
    after: c.replace,
    by: q.actor.coderId,
    at: nowIso(),
    packetHash: mc?.data.versionHash ?? null,
    ...(c.note ? { note: c.note } : {}),
  };
  const changes: QualChange[] = [
    ...ensureCoder(state, q),
    {
      kind: 'source',
      id: src.id,
      expect: src.version,
      data: {
        ...src.data,
        source: { ...src.data.source, text: edit.text },
        turns: shiftTurns(src.data.turns, edit),
      },
      audit: {
        action: 'transcript.edit',
        before: { sourceId: src.id, start: edit.start, end: edit.end, text: c.find },
        after: {
          sourceId: src.id,
          start: edit.start,
          end: edit.start + edit.length,
          text: c.replace,
          correction: correction.id,
        },
      },
    },
    { kind: 'correction', id: correction.id, expect: 'new', data: correction },
  ];
  const removed = new Set<string>();
  for (const seg of state.entities.segment) {
    if (seg.data.sourceId !== src.id) continue;
    const moved = shiftRange(seg.data, edit);
    if (moved === 'unchanged') continue;
    if (moved === 'removed') removed.add(seg.id);
    changes.push(
      moved === 'removed'
        ? {
            kind: 'segment',
            id: seg.id,
            expect: 'any',
            data: null,
            audit: { action: 'segment.removed_by_edit' },
          }
        : {
            kind: 'segment',
            id: seg.id,
            expect: 'any',
            data: { ...seg.data, ...moved },
            audit: { action: 'segment.shift' },
          },
    );
  }
  changes.push(...quoteRemovals(state, removed));
  return changes;
}
