/**
 * The codebook editor: a hierarchy of codes with definitions, examples, colours and grouping (not codable)
 * nodes; and the participants page: pseudonyms, confidential names (never exported), aliases that link
 * speaker labels, attributes and screening results. Saving participants links speaker turns again.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { consentSummary } from '../../core/qual/consent.js';
import {
  type AttributeValue,
  type Code,
  CodeSchema,
  codePath,
  codesInTreeOrder,
  descendantCodeIds,
  type Participant,
  ParticipantSchema,
} from '../../core/qual/model.js';
import { classifyLabel, participantLabel, SpeakerDirectory } from '../../core/qual/transcript.js';
import type { QualChange, QualState } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, type FormBody, field, rawField } from '../form.js';
import { segments } from '../request.js';
import { colourClass, depthClass } from './assets.js';
import {
  applyPlan,
  csrfInput,
  ensureCoder,
  esc,
  lines,
  loadQual,
  newId,
  postButton,
  type QualContext,
  qualBase,
  refuse,
  seeOther,
  sendQualPage,
  stateOf,
  table,
  versionField,
} from './common.js';
import { withdrawForm } from './withdraw.js';

function codeForm(
  action: string,
  csrf: string,
  codes: readonly Code[],
  code: Code | null,
  version: number | null,
): string {
  const banned = code ? descendantCodeIds(codes, code.id) : new Set<string>();
  const parents = codesInTreeOrder(codes)
    .filter((c) => !banned.has(c.id))
    .map(
      (c) =>
        `<option value="${esc(c.id)}"${code?.parentId === c.id ? ' selected' : ''}>${esc(codePath(codes, c.id).join(' › '))}</option>`,
    )
    .join('');
  const p = code ? `c-${code.id}-` : 'new-';
  return (
    `<form method="post" action="${esc(action)}" class="stack">${csrfInput(csrf)}${version !== null ? `<input type="hidden" name="version" value="${version}">` : ''}` +
    `<div class="field"><label for="${p}name">Name</label><input type="text" id="${p}name" name="name" required maxlength="200" dir="auto" value="${esc(code?.name ?? '')}"></div>` +
    `<div class="field"><label for="${p}parent">Parent</label><select id="${p}parent" name="parent"><option value="">(top level)</option>${parents}</select></div>` +
    `<div class="field"><label for="${p}definition">Definition: what it means and when to apply it</label><textarea id="${p}definition" name="definition" dir="auto">${esc(code?.definition ?? '')}</textarea></div>` +
    `<div class="field"><label for="${p}examples">Examples (one per line)</label><textarea id="${p}examples" name="examples" dir="auto">${esc((code?.examples ?? []).join('\n'))}</textarea></div>` +
    `<div class="row"><label for="${p}color">Colour</label><input type="text" id="${p}color" name="color" pattern="#[0-9A-Fa-f]{6}" placeholder="#1F77B4" value="${esc(code?.color ?? '')}" class="w8">` +
    `<label class="check"><input type="checkbox" name="codable" value="1"${code === null || code.codable ? ' checked' : ''}> applied to text (untick for a grouping node)</label></div>` +
    `<p><button${code ? '' : ' class="primary"'}>${code ? 'Save code' : 'Add code'}</button></p></form>`
  );
}

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

function attributesText(a: Record<string, AttributeValue>): string {
  return Object.entries(a)
    .map(([k, v]) => `${k}: ${v === null ? '' : String(v)}`)
    .join('\n');
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
    const base = qualBase(q.study.id);
    const codes = state.entities.code.map((c) => c.data);
    const version = new Map(state.entities.code.map((c) => [c.id, c.version]));
    const uses = (id: string) => state.entities.segment.filter((s) => s.data.codeIds.includes(id)).length;
    const depth = (c: Code) => codePath(codes, c.id).length - 1;
    return sendQualPage(reply, {
      q,
      title: 'Codebook',
      section: 'codes',
      body: (csrf) =>
        `<h1>Codebook</h1><p class="hint">${codes.length} codes. Segment counts are ${state.blind ? 'your own (coding is blind)' : 'all coders’'}.</p>` +
        (codes.length ? '<h2>The codes</h2>' : '') +
        codesInTreeOrder(codes)
          .map(
            (c) =>
              `<div class="card ${depthClass(depth(c))}"><h3 dir="auto">${c.color ? `<span class="swatch ${colourClass(c.color)}"></span>` : ''}${esc(c.name)}${c.codable ? '' : ' <span class="badge">group</span>'}${c.mergedInto !== undefined ? ` <span class="badge">merged into “${esc(codes.find((x) => x.id === c.mergedInto)?.name ?? c.mergedInto)}” (consensus codebook)</span>` : ''} <span class="muted">(${uses(c.id)} segments)</span></h3>` +
              (c.definition
                ? `<p dir="auto">${esc(c.definition)}</p>`
                : '<p class="muted">No definition yet.</p>') +
              (c.examples.length
                ? `<ul>${c.examples.map((e) => `<li dir="auto">${esc(e)}</li>`).join('')}</ul>`
                : '') +
              `<details><summary>Edit</summary>${codeForm(`${base}/codes/${encodeURIComponent(c.id)}`, csrf, codes, c, version.get(c.id) ?? 1)}` +
              `${postButton(`${base}/codes/${encodeURIComponent(c.id)}/delete`, csrf, 'Delete code', { version: version.get(c.id) ?? 1 }, 'danger')}</details></div>`,
          )
          .join('') +
        `<h2>Add a code</h2>${codeForm(`${base}/codes`, csrf, codes, null, null)}` +
        `<p><a href="${base}/codebook.qdc">Download the codebook (REFI-QDA .qdc)</a></p>`,
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
    const base = qualBase(q.study.id);
    const ps = state.entities.participant;
    const turnsOf = (pid: string) =>
      state.entities.source.reduce(
        (n, s) => n + s.data.turns.filter((t) => t.participantId === pid).length,
        0,
      );
    const form = (csrf: string, p: Participant | null, version: number | null) => {
      const pre = p ? `p-${p.id}-` : 'new-';
      return (
        `<form method="post" action="${base}/participants${p ? `/${encodeURIComponent(p.id)}` : ''}" class="stack">${csrfInput(csrf)}${version !== null ? `<input type="hidden" name="version" value="${version}">` : ''}` +
        `<div class="field"><label for="${pre}pseudonym">Pseudonym (what every export prints)</label><input type="text" id="${pre}pseudonym" name="pseudonym" required maxlength="40" value="${esc(p?.pseudonym ?? '')}" placeholder="P5"></div>` +
        `<div class="field"><label for="${pre}name">Name (optional, confidential: only to recognise them in transcripts; never exported)</label><input type="text" id="${pre}name" name="name" maxlength="200" dir="auto" autocomplete="off" value="${esc(p?.name ?? '')}"></div>` +
        `<div class="field"><label for="${pre}aliases">Speaker labels that mean this participant (one per line)</label><textarea id="${pre}aliases" name="aliases" dir="auto">${esc((p?.aliases ?? []).join('\n'))}</textarea></div>` +
        `<div class="field"><label for="${pre}attributes">Attributes, one “name: value” per line (age, gender, year, college, funding…)</label><textarea id="${pre}attributes" name="attributes" dir="auto">${esc(attributesText(p?.attributes ?? {}))}</textarea></div>` +
        `<fieldset><legend>Screening (from the screening survey)</legend><div class="field"><label for="${pre}scores">Scores, one “name: value” per line</label><textarea id="${pre}scores" name="scores">${esc(p?.screening ? attributesText(p.screening.scores) : '')}</textarea></div>` +
        `<div class="field"><label for="${pre}eligible">Eligible</label><select id="${pre}eligible" name="eligible"><option value="">not screened</option><option value="1"${p?.screening?.eligible === true ? ' selected' : ''}>yes</option><option value="0"${p?.screening?.eligible === false ? ' selected' : ''}>no</option></select></div></fieldset>` +
        `<p><button${p ? '' : ' class="primary"'}>${p ? 'Save participant' : 'Add participant'}</button></p></form>`
      );
    };
    return sendQualPage(reply, {
      q,
      title: 'Participants',
      section: 'participants',
      body: (csrf) =>
        `<h1>Participants</h1><p class="hint">Quotes and exports name participants by pseudonym only, e.g. “(Participant 4)”. Signed consent forms, their PDFs and the consent register: <a href="${base}/consent">Consent</a>.</p>` +
        (ps.length
          ? table(
              ['Pseudonym', 'Name (confidential)', 'Turns', 'Attributes', 'Screening', 'Written consent', ''],
              ps.map((p) => [
                `<strong>${esc(p.data.pseudonym)}</strong><br><span class="muted">${esc(participantLabel(p.data))}</span>`,
                p.data.name ? `<span dir="auto">${esc(p.data.name)}</span>` : '<span class="muted">—</span>',
                String(turnsOf(p.id)),
                esc(
                  Object.entries(p.data.attributes)
                    .map(([k, v]) => `${k}: ${v ?? ''}`)
                    .join('; '),
                ),
                p.data.screening
                  ? `${esc(
                      Object.entries(p.data.screening.scores)
                        .map(([k, v]) => `${k} ${v}`)
                        .join('; '),
                    )}${p.data.screening.eligible ? ' — eligible' : ' — not eligible'}`
                  : '—',
                `<a href="${base}/consent">${esc(consentSummary(state.project.doc.consents, p.id))}</a>`,
                `<details><summary>Edit</summary>${form(csrf, p.data, p.version)}${q.owner ? withdrawForm(base, csrf, p.data) : ''}</details>`,
              ]),
              { numeric: [2] },
            )
          : '<p>No participants yet. They are added from speaker labels when you import a transcript, or here.</p>') +
        `<h2>Add a participant</h2>${form(csrf, null, null)}`,
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
