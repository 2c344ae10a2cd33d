/**
 * The codebook editor: a hierarchy of codes with definitions, examples, colours and grouping (not codable)
 * nodes; and the participants page: pseudonyms, confidential names (never exported), aliases that link
 * speaker labels, attributes and screening results. Saving participants links speaker turns again.
 * The pages themselves are views of codesView.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { consentSummary } from '../../core/qual/consent.js';
import {
  type AttributeValue,
  type Code,
  CodeSchema,
  descendantCodeIds,
  type Participant,
  ParticipantSchema,
} from '../../core/qual/model.js';
import { classifyLabel, SpeakerDirectory } from '../../core/qual/transcript.js';
import type { QualChange, QualState } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, type FormBody, field, rawField } from '../form.js';
import { segments } from '../request.js';
import { type CodesModel, codesView, type ParticipantsModel, participantsView } from './codesView.js';
import {
  applyPlan,
  ensureCoder,
  lines,
  loadQual,
  newId,
  type QualContext,
  qualBase,
  refuse,
  seeOther,
  sendQualPage,
  stateOf,
  versionField,
} from './common.js';

function codeFromForm(b: FormBody, id: string, codes: readonly Code[]): Code {
  const parent = field(b, 'parent');
  if (parent && !codes.some((c) => c.id === parent))
    throw new HttpError(
      400,
      `Parent code "${parent}" does not exist (any more); reload the page.`,
      'validation',
    );
  if (parent && descendantCodeIds(codes, id).has(parent))
    throw new HttpError(400, 'A code cannot be placed under itself or one of its sub-codes.', 'validation');
  const color = field(b, 'color');
  const r = CodeSchema.safeParse({
    id,
    name: field(b, 'name'),
    parentId: parent || null,
    definition: rawField(b, 'definition').trim(),
    examples: lines(rawField(b, 'examples')),
    ...(color ? { color } : {}),
    codable: field(b, 'codable') === '1',
  });
  if (!r.success)
    throw new HttpError(
      400,
      `The code is not valid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      'validation',
    );
  return r.data;
}

/**
 * An edited code keeps what the consensus codebook recorded on it (the form does not carry it): the code it is
 * merged into and the code it was split from. Without this, renaming a merged code silently undid its merge.
 */
function keepConsensus(code: Code, old: Code): Code {
  return {
    ...code,
    ...(old.mergedInto !== undefined ? { mergedInto: old.mergedInto } : {}),
    ...(old.splitFrom !== undefined ? { splitFrom: old.splitFrom } : {}),
  };
}

/** Attribute lines "age: 22" → { age: 22 }: numbers, true/false, empty → null, else text. */
function parseAttributes(text: string): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const l of lines(text)) {
    const i = l.indexOf(':');
    if (i <= 0)
      throw new HttpError(
        400,
        `Attribute line "${l}" needs a name and a value, like "year: 4".`,
        'validation',
      );
    const k = l.slice(0, i).trim();
    const v = l.slice(i + 1).trim();
    out[k] =
      v === ''
        ? null
        : /^-?\d+(\.\d+)?$/.test(v)
          ? Number(v)
          : /^(true|yes)$/i.test(v)
            ? true
            : /^(false|no)$/i.test(v)
              ? false
              : v;
  }
  return out;
}

/** Link every transcript's speaker turns to the participants again (after participants changed). */
function relinkChanges(state: QualState, participants: readonly Participant[]): QualChange[] {
  const out: QualChange[] = [];
  for (const s of state.entities.source) {
    const dir = new SpeakerDirectory(participants);
    const turns = s.data.turns.map((t) => {
      const c = classifyLabel(t.label);
      const pid = c ? dir.lookup(c) : null;
      return {
        ...t,
        participantId: pid,
        role: pid !== null ? ('participant' as const) : (c?.role ?? t.role),
      };
    });
    const before = s.data.turns.map((t) => t.participantId);
    const after = turns.map((t) => t.participantId);
    if (JSON.stringify(before) === JSON.stringify(after) && turns.length === s.data.turns.length) continue;
    out.push({
      kind: 'source',
      id: s.id,
      expect: 'any',
      data: { ...s.data, turns },
      audit: {
        action: 'source.relink',
        before: { linkedTurns: before.filter(Boolean).length },
        after: { linkedTurns: after.filter(Boolean).length },
      },
    });
  }
  return out;
}

/** "Code(s) "A", "B" are" merged into `codeId` in the consensus codebook, or '' when none is. */
function mergedNames(state: QualState, codeId: string): string {
  const names = state.entities.code
    .filter((c) => c.data.mergedInto === codeId)
    .map((c) => `"${c.data.name}"`);
  return names.length === 0
    ? ''
    : `${names.length === 1 ? 'Code' : 'Codes'} ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'}`;
}

export function registerCodes(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/codes', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await stateOf(ctx, q);
    const codes = state.entities.code.map((c) => c.data);
    const uses = (id: string) => state.entities.segment.filter((s) => s.data.codeIds.includes(id)).length;
    const model: CodesModel = {
      base: qualBase(q.study.id),
      codes,
      blind: state.blind,
      version: new Map(state.entities.code.map((c) => [c.id, c.version])),
      uses: new Map(codes.map((c) => [c.id, uses(c.id)])),
    };
    return sendQualPage(reply, {
      q,
      title: 'Codebook',
      section: 'codes',
      body: (csrf) => codesView(model, csrf),
    });
  });

  app.post('/studies/:id/qual/codes', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const b = asForm(req.body);
    await applyPlan(ctx, q, (state) => {
      const codes = state.entities.code.map((c) => c.data);
      const code = codeFromForm(b, newId('code'), codes);
      // Another coder's inductive code stays private while blind: it neither blocks nor reveals a name.
      const blind = !state.project.comparisonOpen;
      if (
        codes
          .filter((c) => !blind || c.createdBy === undefined || c.createdBy === q.actor.coderId)
          .some(
            (c) =>
              c.name.toLocaleLowerCase() === code.name.toLocaleLowerCase() && c.parentId === code.parentId,
          )
      )
        return refuse('exists', `A code named "${code.name}" already exists at that place in the codebook.`);
      return {
        changes: [...ensureCoder(state, q), { kind: 'code', id: code.id, expect: 'new', data: code }],
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/codes`);
  });

  app.post('/studies/:id/qual/codes/:cid', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { cid } = segments(req, 'cid');
    const b = asForm(req.body);
    const version = versionField(b);
    await applyPlan(ctx, q, (state) => {
      const old = state.get('code', cid);
      if (!old) return refuse('not_found', 'That code no longer exists; reload the codebook.');
      const codes = state.entities.code.map((c) => c.data);
      const code = keepConsensus(codeFromForm(b, cid, codes), old.data);
      if (
        !code.codable &&
        old.data.codable &&
        state.entities.segment.some((s) => s.data.codeIds.includes(cid))
      )
        return refuse(
          'invalid',
          `"${old.data.name}" is applied to segments, so it cannot become a grouping node.`,
        );
      const merged = mergedNames(state, cid);
      if (!code.codable && merged)
        return refuse(
          'invalid',
          `${merged} merged into "${old.data.name}" in the consensus codebook, so it cannot become a grouping node; undo the merges first (Consensus › Consensus codebook).`,
        );
      return {
        changes: [...ensureCoder(state, q), { kind: 'code', id: cid, expect: version, data: code }],
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/codes`);
  });

  app.post('/studies/:id/qual/codes/:cid/delete', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { cid } = segments(req, 'cid');
    const version = versionField(asForm(req.body));
    await applyPlan(ctx, q, (state) => {
      const old = state.get('code', cid);
      if (!old) return refuse('not_found', 'That code no longer exists.');
      const n = state.entities.segment.filter((s) => s.data.codeIds.includes(cid)).length;
      if (n)
        return refuse(
          'invalid',
          `"${old.data.name}" is applied to ${n} segment(s) (of any coder); remove it from them first.`,
        );
      if (state.entities.code.some((c) => c.data.parentId === cid))
        return refuse('invalid', `"${old.data.name}" has sub-codes; move or delete them first.`);
      const merged = mergedNames(state, cid);
      if (merged)
        return refuse(
          'invalid',
          `${merged} merged into "${old.data.name}" in the consensus codebook; undo the merges first (Consensus › Consensus codebook).`,
        );
      const themes = state.entities.theme.filter((t) => t.data.codeIds.includes(cid));
      if (themes.length)
        return refuse(
          'invalid',
          `"${old.data.name}" is linked to theme(s) ${themes.map((t) => `"${t.data.name}"`).join(', ')}; unlink it first.`,
        );
      return {
        changes: [...ensureCoder(state, q), { kind: 'code', id: cid, expect: version, data: null }],
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/codes`);
  });

  // ------------------------------------------------------------------------------------------------------
  // Participants

  app.get('/studies/:id/qual/participants', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await stateOf(ctx, q);
    const turnsOf = (pid: string) =>
      state.entities.source.reduce(
        (n, s) => n + s.data.turns.filter((t) => t.participantId === pid).length,
        0,
      );
    const model: ParticipantsModel = {
      base: qualBase(q.study.id),
      owner: q.owner,
      rows: state.entities.participant.map((p) => ({
        participant: p.data,
        version: p.version,
        turns: turnsOf(p.id),
        consent: consentSummary(state.project.doc.consents, p.id),
      })),
    };
    return sendQualPage(reply, {
      q,
      title: 'Participants',
      section: 'participants',
      body: (csrf) => participantsView(model, csrf),
    });
  });

  const saveParticipant = async (req: FastifyRequest, pid: string | null) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const b = asForm(req.body);
    const version = pid ? versionField(b) : null;
    const eligible = field(b, 'eligible');
    const scores = parseAttributes(rawField(b, 'scores'));
    for (const [k, v] of Object.entries(scores))
      if (typeof v !== 'number')
        throw new HttpError(
          400,
          `Screening score "${k}" must be a number, not "${String(v)}".`,
          'validation',
        );
    const name = field(b, 'name');
    const id = pid ?? newId('p');
    const r = ParticipantSchema.safeParse({
      id,
      pseudonym: field(b, 'pseudonym'),
      ...(name ? { name } : {}),
      aliases: lines(rawField(b, 'aliases')),
      attributes: parseAttributes(rawField(b, 'attributes')),
      ...(eligible || Object.keys(scores).length
        ? { screening: { scores, eligible: eligible === '1' } }
        : {}),
    });
    if (!r.success)
      throw new HttpError(
        400,
        `The participant is not valid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        'validation',
      );
    const p = r.data;
    await applyPlan(ctx, q, (state) => {
      if (pid && !state.get('participant', pid))
        return refuse('not_found', 'That participant no longer exists.');
      const others = state.entities.participant.filter((x) => x.id !== id).map((x) => x.data);
      if (others.some((x) => x.pseudonym === p.pseudonym))
        return refuse('exists', `Pseudonym "${p.pseudonym}" is already taken by another participant.`);
      return {
        changes: [
          ...ensureCoder(state, q),
          { kind: 'participant', id, expect: version ?? 'new', data: p },
          ...relinkChanges(state, [...others, p]),
        ],
        result: null,
      };
    });
    return q;
  };

  app.post('/studies/:id/qual/participants', async (req, reply) => {
    const q = await saveParticipant(req, null);
    return seeOther(reply, `${qualBase(q.study.id)}/participants`);
  });
  app.post('/studies/:id/qual/participants/:pid', async (req, reply) => {
    const q = await saveParticipant(req, segments(req, 'pid').pid);
    return seeOther(reply, `${qualBase(q.study.id)}/participants`);
  });
}
