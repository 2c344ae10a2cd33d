/**
 * Transcripts and coding: the list of sources, transcript import (.txt, .vtt, .srt pasted or uploaded; .docx
 * uploaded), the coding page (speaker turns, `dir="auto"` per paragraph, existing segments highlighted, the
 * coding form) and segment deletion.
 *
 * Upload without multipart: the server takes forms as application/x-www-form-urlencoded only. Text formats can
 * be pasted into the textarea (no JavaScript needed); a chosen file is read by the page's script into a hidden
 * base64 field (`file_b64`) with its name (`file_name`), which is the only way to bring a .docx.
 */
import type { FastifyInstance } from 'fastify';
import type { Issue } from '../../core/instrument/schema.js';
import { consensusCodeLabels } from '../../core/qual/codebook.js';
import { guessFormat, prepareImport, type TranscriptFormat } from '../../core/qual/import.js';
import {
  type Code,
  codePath,
  codesInTreeOrder,
  createSegment,
  type Participant,
  type Segment,
  type Turn,
} from '../../core/qual/model.js';
import { codePointLength, OffsetIndex } from '../../core/qual/offsets.js';
import { participantLabel } from '../../core/qual/transcript.js';
import { FORBIDDEN_TEXT } from '../../core/response/submission.js';
import { DOCX_MAX_XML_BYTES, docxParagraphsAsync } from '../../render/qdpx/docx.js';
import type { QualChange, QualState } from '../../store/index.js';
import { toQualProject } from '../../store/index.js';
import { HttpError, tooLarge } from '../errors.js';
import { segments } from '../request.js';
import { colourClass, depthClass } from './assets.js';
import {
  applyPlan,
  bodyOf,
  coderNames,
  csrfInput,
  decodeBase64,
  ensureCoder,
  esc,
  field,
  fields,
  invalid,
  loadQual,
  newId,
  nowIso,
  postButton,
  QUAL_ROLES,
  type QualContext,
  qualBase,
  rawField,
  refuse,
  seeOther,
  sendQualPage,
  stateOf,
  table,
  versionField,
} from './common.js';
import { mediaPanel, turnPlayer } from './media.js';

/** Text for HTML, with CR kept as a character reference (the HTML parser would drop a literal CR). */
export function escText(s: string): string {
  return esc(s).replace(/\r/g, '&#13;');
}

function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(
      400,
      `"${name}" is not UTF-8 text. Save it as UTF-8 (in Word: Save As → Plain Text → Unicode (UTF-8)) and upload it again.`,
      'validation',
    );
  }
}

/**
 * The longest transcript accepted, in characters (code points). A 90-minute focus group is about 100,000; the
 * bound keeps a small compressed upload (a .docx inflates) from storing megabytes that every page then loads.
 */
export const MAX_TRANSCRIPT_CHARS = 1_000_000;

/**
 * The text of an uploaded or pasted transcript, ready for {@link importTranscript}: a .docx is read off the
 * event loop within its bounds (413 over them, 400 when it is not a Word document), a text file must be UTF-8,
 * and the text must fit {@link MAX_TRANSCRIPT_CHARS} (413) and hold no non-characters (400).
 */
export async function transcriptText(
  format: TranscriptFormat,
  content: { text?: string; bytes?: Uint8Array; fileName?: string },
): Promise<{ text: string; problems: string[] }> {
  const name = content.fileName || 'the file';
  let text: string;
  let problems: string[] = [];
  if (format === 'docx') {
    if (!content.bytes)
      throw new HttpError(
        400,
        'A .docx transcript must be uploaded as a file (it cannot be pasted).',
        'validation',
      );
    const d = await docxParagraphsAsync(content.bytes);
    if (d.failed === 'too_large')
      throw tooLarge(
        `The text of "${name}" (uncompressed)`,
        DOCX_MAX_XML_BYTES,
        'Split the transcript into several documents.',
      );
    if (d.failed)
      throw new HttpError(
        400,
        `"${name}" is not a Word document that can be read (${d.problems.join('; ')}); nothing was saved. Open it in Word, save it as .docx and upload it again, or paste its text.`,
        'validation',
      );
    text = d.paragraphs.join('\n');
    problems = d.problems;
  } else text = content.text ?? decodeUtf8(content.bytes ?? new Uint8Array(), name);
  const length = codePointLength(text);
  if (length > MAX_TRANSCRIPT_CHARS)
    throw new HttpError(
      413,
      `The transcript has ${length.toLocaleString('en')} characters, more than the ${MAX_TRANSCRIPT_CHARS.toLocaleString('en')} a transcript may have; nothing was saved. Split it into several transcripts.`,
      'too_large',
    );
  const bad = FORBIDDEN_TEXT.exec(text);
  if (bad) {
    const line = text.slice(0, bad.index).split('\n').length;
    throw new HttpError(
      400,
      `The transcript contains a character that is not text (U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}) on line ${line}; nothing was saved. Remove it and import again.`,
      'validation',
    );
  }
  return { text, problems };
}

/** The code checkboxes of a form, in tree order, indented by depth. */
export function codeCheckboxes(codes: readonly Code[], checked: ReadonlySet<string>, name = 'codes'): string {
  const depth = (c: Code) => codePath(codes, c.id).length - 1;
  // A code merged into another in the consensus codebook is applied as its target: offer the target only.
  return codesInTreeOrder(codes)
    .filter((c) => c.mergedInto === undefined)
    .map((c) =>
      c.codable
        ? `<label class="${depthClass(depth(c))}"><input type="checkbox" name="${name}" value="${esc(c.id)}"${checked.has(c.id) ? ' checked' : ''}> ${c.color ? `<span class="swatch ${colourClass(c.color)}"></span>` : ''}${esc(c.name)}</label>`
        : `<span class="muted ${depthClass(depth(c))}">${esc(c.name)}</span>`,
    )
    .join('<br>');
}

/**
 * The transcript as HTML: one paragraph per speaker turn (text between turns only when it is not blank),
 * `dir="auto"` so Urdu and English paragraphs each take their own direction (the speaker label has its own
 * `dir`, so the paragraph's direction comes from what was said). Every piece of text is a span whose
 * `data-o` is its first code point; pieces covered by segments are highlighted.
 */
export function renderTranscript(
  text: string,
  turns: readonly Turn[],
  segments: readonly Segment[],
  options: {
    codeNames: ReadonlyMap<string, string>;
    /** The codes of a highlighted passage as its title says them (default: their names from `codeNames`). */
    codesLabel?: (ids: readonly string[]) => string;
    /** Palette class of each code with a colour (`colourClass`): a passage whose codes share one is tinted so. */
    codeClasses?: ReadonlyMap<string, string>;
    coderNames: ReadonlyMap<string, string>;
    viewer: string | null;
    speaker: (t: Turn) => string;
    /** A turn's play control (its span of the transcript's recording), put before its label. */
    play?: (t: Turn) => string;
  },
): string {
  const idx = new OffsetIndex(text);
  const n = idx.length;
  type Block = { start: number; end: number; contentStart: number; turn: Turn | null };
  const blocks: Block[] = [];
  const sorted = [...turns].sort((a, b) => a.start - b.start);
  const gap = (a: number, b: number) => {
    if (b <= a) return;
    const t = idx.slice(a, b);
    if (!/\S/.test(t)) return;
    // Trim blank lines around the text, keeping offsets right.
    const lead = codePointLength(t) - codePointLength(t.replace(/^\s+/, ''));
    const trail = codePointLength(t) - codePointLength(t.replace(/\s+$/, ''));
    blocks.push({ start: a + lead, end: b - trail, contentStart: a + lead, turn: null });
  };
  if (sorted.length) {
    let prev = 0;
    for (const t of sorted) {
      gap(prev, t.start);
      const end = Math.max(t.end, t.contentStart);
      blocks.push({ start: t.start, end, contentStart: t.contentStart, turn: t });
      prev = Math.max(prev, end);
    }
    gap(prev, n);
  } else {
    let a = 0;
    const cps = Array.from(text);
    for (let i = 0; i <= n; i++) {
      if (i === n || cps[i] === '\n') {
        gap(a, i);
        a = i + 1;
      }
    }
  }
  const segs = [...segments].sort((a, b) => a.start - b.start);
  const out: string[] = [];
  for (const bl of blocks) {
    const cuts = new Set([bl.start, bl.end, bl.contentStart]);
    const inBlock = segs.filter((s) => s.start < bl.end && s.end > bl.start);
    for (const s of inBlock) {
      if (s.start > bl.start && s.start < bl.end) cuts.add(s.start);
      if (s.end > bl.start && s.end < bl.end) cuts.add(s.end);
    }
    const points = [...cuts].filter((x) => x >= bl.start && x <= bl.end).sort((a, b) => a - b);
    const label: string[] = [];
    const body: string[] = [];
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k]!;
      const b = points[k + 1]!;
      if (b <= a) continue;
      const cover = inBlock.filter((s) => s.start < b && s.end > a);
      let attrs = '';
      if (cover.length) {
        const other = options.viewer !== null && cover.every((s) => s.coderId !== options.viewer);
        const ids = [...new Set(cover.flatMap((s) => s.codeIds))];
        const codes = options.codesLabel
          ? [options.codesLabel(ids)]
          : ids.map((c) => options.codeNames.get(c) ?? c);
        const coders = [...new Set(cover.map((s) => options.coderNames.get(s.coderId) ?? s.coderId))];
        const tints = new Set(cover.flatMap((s) => s.codeIds).map((c) => options.codeClasses?.get(c) ?? ''));
        const tint = tints.size === 1 ? [...tints][0] : '';
        attrs = ` class="hl${cover.length > 1 ? ' many' : ''}${tint ? ` ${tint}` : ''}${other ? ' other' : ''}" title="${esc(`${codes.join(', ')} — ${coders.join(', ')}`)}" data-segs="${esc(cover.map((s) => s.id).join(' '))}"`;
      }
      const span = `<span data-o="${a}"${attrs}>${escText(idx.slice(a, b))}</span>`;
      if (bl.turn && b <= bl.contentStart) label.push(span);
      else body.push(span);
    }
    const who = bl.turn ? options.speaker(bl.turn) : '';
    out.push(
      `<p dir="auto"${bl.turn ? ` id="turn-${bl.turn.index}" title="${esc(who)}"` : ' class="gap"'}>${
        bl.turn && options.play ? options.play(bl.turn) : ''
      }${label.length ? `<span class="spk" dir="auto">${label.join('')}</span>` : ''}${body.join('')}</p>`,
    );
  }
  return out.join('');
}

/**
 * How the coding page names codes once some are merged in the consensus codebook: a segment shows its code's
 * consensus name (the target), the code the coder applied in a tooltip ("Fear of failure (coded as
 * “Terrified”)" in the transcript's highlight title); the highlight takes the target's colour.
 */
export function codeDisplay(codes: readonly Code[]): {
  codeNames: Map<string, string>;
  codesLabel: (ids: readonly string[]) => string;
  codeClasses: Map<string, string>;
  codesCell: (ids: readonly string[]) => string;
} {
  const labels = consensusCodeLabels(codes);
  const colour = new Map(codes.map((c) => [c.id, colourClass(c.color)]));
  const codeNames = new Map<string, string>();
  const codeClasses = new Map<string, string>();
  for (const c of codes) {
    const l = labels([c.id])[0]!;
    codeNames.set(c.id, l.name);
    codeClasses.set(c.id, colour.get(l.id) ?? '');
  }
  const codesLabel = (ids: readonly string[]) =>
    labels(ids)
      .map((l) =>
        l.mergedFrom.length ? `${l.name} (coded as ${l.mergedFrom.map((n) => `“${n}”`).join(', ')})` : l.name,
      )
      .join(', ');
  const codesCell = (ids: readonly string[]) =>
    labels(ids)
      .map((l) =>
        l.mergedFrom.length
          ? `<span class="merged" title="${esc(`Coded as ${l.mergedFrom.map((n) => `“${n}”`).join(', ')}, merged into “${l.name}” in the consensus codebook`)}">${esc(l.name)}</span>`
          : esc(l.name),
      )
      .join(', ');
  return { codeNames, codesLabel, codeClasses, codesCell };
}

function excerpt(text: string, max = 90): string {
  const t = text.replace(/\s+/g, ' ').trim();
  const cps = Array.from(t);
  return cps.length > max ? `${cps.slice(0, max).join('')}…` : t;
}

/** How the coding page names a turn's speaker: the participant's label, else the speaker key. */
function speakerName(participants: readonly Participant[]): (t: Turn) => string {
  return (t) => {
    const p = t.participantId ? participants.find((x) => x.id === t.participantId) : undefined;
    return p ? participantLabel(p) : t.speakerKey;
  };
}

/** `{ [key]: value }`, or nothing when the value is undefined (for optional properties). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Where segments of a source start and who speaks there. */
function speakerOf(turns: readonly Turn[], participants: readonly Participant[], pos: number): string {
  const t = turns.find((x) => pos >= x.start && pos < Math.max(x.end, x.start + 1));
  if (!t) return '—';
  const p = t.participantId ? participants.find((x) => x.id === t.participantId) : undefined;
  return p ? participantLabel(p) : t.speakerKey;
}

export function registerSources(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/sources', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.edit);
    const state = await stateOf(ctx, q);
    const base = qualBase(q.study.id);
    const rows = (csrf: string) =>
      state.entities.source.map((s) => {
        const linked = new Set(s.data.turns.filter((t) => t.participantId).map((t) => t.participantId));
        const mine = state.entities.segment.filter((x) => x.data.sourceId === s.id).length;
        return [
          `<a href="${base}/sources/${esc(s.id)}" dir="auto">${esc(s.data.source.name)}</a>`,
          esc(s.data.source.language),
          esc(s.data.format),
          String(codePointLength(s.data.source.text)),
          String(s.data.turns.length),
          String(linked.size),
          String(mine),
          postButton(`${base}/sources/${encodeURIComponent(s.id)}/delete`, csrf, 'Delete', {}, 'danger'),
        ];
      });
    return sendQualPage(reply, {
      q,
      title: 'Transcripts',
      section: 'sources',
      body: (csrf) =>
        '<h1>Transcripts &amp; coding</h1>' +
        (state.entities.source.length
          ? table(
              [
                'Transcript',
                'Language',
                'Format',
                'Characters',
                'Turns',
                'Participants',
                state.blind ? 'Your segments' : 'Segments',
                '<span class="muted">Actions</span>',
              ],
              rows(csrf),
              { numeric: [3, 4, 5, 6] },
            )
          : '<p>No transcripts yet.</p>') +
        importForm(base, csrf),
    });
  });

  app.post('/studies/:id/qual/sources', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.edit);
    const b = bodyOf(req);
    const b64 = rawField(b, 'file_b64').trim();
    const fileName = field(b, 'file_name');
    const pasted = rawField(b, 'text');
    if (!b64 && pasted.trim() === '')
      throw new HttpError(400, 'Paste the transcript into the text box, or choose a file.', 'validation');
    const bytes = b64 ? decodeBase64(b64) : undefined;
    const chosen = field(b, 'format');
    const format: TranscriptFormat =
      chosen === 'txt' || chosen === 'vtt' || chosen === 'srt' || chosen === 'docx'
        ? chosen
        : guessFormat(bytes ? '' : pasted, fileName);
    const language = field(b, 'language') || 'en';
    const name = field(b, 'name') || fileName.replace(/\.[a-z0-9]+$/i, '') || 'Transcript';
    const pseudonymize = field(b, 'pseudonymize') === '1';
    const autoParticipants = field(b, 'participants') === '1';
    const id = newId('src');
    const content = await transcriptText(format, bytes ? { bytes, fileName } : { text: pasted });
    const summary = await applyPlan(ctx, q, (state) => {
      const {
        transcript: t,
        added,
        replacements,
      } = prepareImport(
        format,
        content,
        { id, name, language, createdAt: nowIso() },
        state.entities.participant.map((p) => p.data),
        { autoParticipants, pseudonymize, newId },
      );
      const changes: QualChange[] = [
        ...ensureCoder(state, q),
        ...added.map((p) => ({ kind: 'participant' as const, id: p.id, expect: 'new' as const, data: p })),
        {
          kind: 'source',
          id,
          expect: 'new',
          data: { source: t.source, turns: t.turns, format },
          audit: { action: 'source.import' },
        },
      ];
      return {
        changes,
        result: {
          turns: t.turns.length,
          linked: t.turns.filter((x) => x.participantId).length,
          issues: t.issues as readonly Issue[],
          added: added.map((p) => p.pseudonym),
          replacements,
          length: codePointLength(t.source.text),
        },
      };
    });
    const base = qualBase(q.study.id);
    return sendQualPage(reply, {
      q,
      title: 'Transcript imported',
      section: 'sources',
      status: 201,
      body: () =>
        `<h1>Transcript imported</h1><p class="ok"><strong dir="auto">${esc(name)}</strong> (${esc(format)}, ${esc(language)}): ${summary.length} characters, ${summary.turns} speaker turns, ${summary.linked} linked to participants.</p>` +
        (summary.added.length
          ? `<p>New participants from the speaker labels: ${summary.added.map(esc).join(', ')}. Add their attributes on the <a href="${base}/participants">participants page</a>.</p>`
          : '') +
        (summary.replacements
          ? `<p>${summary.replacements} name(s) in the transcript were replaced by pseudonyms.</p>`
          : '') +
        (summary.issues.length
          ? `<div class="notice"><p><strong>The importer noticed:</strong></p><ul>${summary.issues.map((i) => `<li>${esc(i.message)}</li>`).join('')}</ul></div>`
          : '') +
        `<p><a class="button primary" href="${base}/sources/${esc(id)}">Open it for coding</a> <a href="${base}/sources">All transcripts</a></p>`,
    });
  });

  // Delete a transcript with every segment coded on it. Refused while a theme quotes one of its segments;
  // an analyst may not delete other coders' segments with it (the owner may). The audit trail records the
  // deletion without the text (auditView).
  app.post('/studies/:id/qual/sources/:sid/delete', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.edit);
    const { sid } = segments(req, 'sid');
    await applyPlan(ctx, q, (state) => {
      const old = state.get('source', sid);
      if (!old) return refuse('not_found', 'That transcript no longer exists.');
      const segments = state.entities.segment.filter((s) => s.data.sourceId === sid);
      const ids = new Set(segments.map((s) => s.id));
      const quoting = state.entities.theme.filter((t) => t.data.quoteSegmentIds.some((x) => ids.has(x)));
      if (quoting.length)
        return refuse(
          'invalid',
          `Theme(s) ${quoting.map((t) => `"${t.data.name}"`).join(', ')} quote this transcript; remove those quotes first.`,
        );
      const others = segments.filter((s) => s.data.coderId !== q.actor.coderId).length;
      if (others && !q.owner)
        return refuse(
          'invalid',
          `Other coders have ${others} segment(s) on "${old.data.source.name}"; only the study's owner can delete it.`,
        );
      return {
        changes: [
          ...ensureCoder(state, q),
          ...segments.map((s) => ({ kind: 'segment' as const, id: s.id, expect: s.version, data: null })),
          { kind: 'source', id: sid, expect: old.version, data: null },
        ],
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/sources`);
  });

  app.get('/studies/:id/qual/sources/:sid', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.edit);
    const { sid } = segments(req, 'sid');
    const state = await stateOf(ctx, q);
    const src = state.get('source', sid);
    if (!src) throw new HttpError(404, 'Transcript not found.', 'not_found');
    const base = qualBase(q.study.id);
    const project = toQualProject(state);
    const { source, turns } = src.data;
    const participants = project.participants;
    const segs = project.segments.filter((s) => s.sourceId === sid);
    const { codeNames, codesLabel, codeClasses, codesCell } = codeDisplay(project.codes);
    const coders = coderNames(state);
    const speaker = speakerName(participants);
    const html = renderTranscript(source.text, turns, segs, {
      codeNames,
      codesLabel,
      codeClasses,
      coderNames: coders,
      viewer: q.coderId,
      speaker,
      ...optional('play', turnPlayer(q.study.id, sid, src.data.media, turns)),
    });
    const idx = new OffsetIndex(source.text);
    const segVersion = new Map(state.entities.segment.map((s) => [s.id, s.version]));
    const segRows = segs.map((s) => [
      `<span dir="auto">${escText(excerpt(idx.slice(s.start, s.end)))}</span><br><span class="muted">${s.start}–${s.end}${s.memo ? ` · memo: ${esc(excerpt(s.memo, 60))}` : ''}</span>`,
      codesCell(s.codeIds),
      esc(speakerOf(turns, participants, s.start)),
      esc(coders.get(s.coderId) ?? s.coderId),
      s.coderId === q.coderId ? '' : '',
    ]);
    return sendQualPage(reply, {
      q,
      title: `Coding – ${source.name}`,
      section: 'sources',
      body: (csrf) => {
        const rows = segRows.map((r, i) => {
          const s = segs[i]!;
          r[4] =
            s.coderId === q.coderId
              ? postButton(`${base}/segments/${encodeURIComponent(s.id)}/delete`, csrf, 'Delete', {
                  version: segVersion.get(s.id) ?? 1,
                })
              : '';
          return r;
        });
        const turnOptions = turns
          .map(
            (t) =>
              `<option value="${t.index}">#${t.index + 1} ${esc(speaker(t))}: ${esc(excerpt(idx.slice(t.contentStart, Math.max(t.contentStart, t.end)), 50))}</option>`,
          )
          .join('');
        return (
          `<h1 dir="auto">${esc(source.name)}</h1>` +
          `<p class="muted">${esc(source.language)} · ${idx.length} characters · ${turns.length} turns · ${
            state.blind
              ? 'blind coding: you see your own segments only'
              : 'comparison open: all coders’ segments shown (blue: other coders)'
          }</p>` +
          mediaPanel(
            q.study.id,
            sid,
            src.data.media,
            turns.filter((t) => t.time !== undefined).length,
            csrf,
          ) +
          `<div class="coding"><div><div id="transcript" class="transcript" lang="${esc(source.language)}">${html}</div>` +
          `<h2>Segments${state.blind ? ' (yours)' : ''}</h2>${
            rows.length ? table(['Text', 'Codes', 'Speaker', 'Coder', ''], rows) : '<p>No segments yet.</p>'
          }</div>` +
          `<div class="side"><form method="post" action="${base}/sources/${esc(sid)}/segments" id="code-form" class="stack">${csrfInput(csrf)}` +
          '<h2>Code a passage</h2><p class="hint">Select text in the transcript: its position fills in below. Without JavaScript, type the positions (characters, counted from 0, end not included) or pick a whole turn.</p>' +
          '<div id="selection-preview" class="preview" dir="auto" aria-live="polite"></div>' +
          `<div class="row"><label>Start <input type="number" name="start" min="0" max="${idx.length}" class="w7"></label> <label>End <input type="number" name="end" min="1" max="${idx.length}" class="w7"></label></div>` +
          `<div class="field"><label for="turn">…or a whole turn</label><select id="turn" name="turn"><option value="">—</option>${turnOptions}</select></div>` +
          `<fieldset><legend>Codes</legend>${project.codes.length ? codeCheckboxes(project.codes, new Set()) : '<p class="muted">No codes yet: name one below.</p>'}</fieldset>` +
          '<div class="field"><label for="new_code">New code</label><input type="text" id="new_code" name="new_code" maxlength="200" dir="auto"></div>' +
          '<div class="field"><label for="memo">Memo on this segment</label><textarea id="memo" name="memo" dir="auto"></textarea></div>' +
          '<p><button class="primary">Apply codes</button></p></form></div></div>'
        );
      },
    });
  });

  app.post('/studies/:id/qual/sources/:sid/segments', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.edit);
    const { sid } = segments(req, 'sid');
    const b = bodyOf(req);
    const codeIds = fields(b, 'codes');
    const newCode = field(b, 'new_code');
    const memo = field(b, 'memo');
    const turnText = field(b, 'turn');
    const segId = newId('seg');
    await applyPlan(ctx, q, (state: QualState) => {
      const src = state.get('source', sid);
      if (!src) return refuse('not_found', 'Transcript not found.');
      let start: number;
      let end: number;
      if (turnText !== '') {
        const t = src.data.turns.find((x) => String(x.index) === turnText);
        if (!t) return refuse('invalid', `Turn ${turnText} does not exist in this transcript.`);
        start = t.contentStart;
        end = Math.max(t.end, t.contentStart);
      } else {
        const s = field(b, 'start');
        const e = field(b, 'end');
        if (!/^\d+$/.test(s) || !/^\d+$/.test(e))
          return refuse(
            'invalid',
            'Select a passage in the transcript (or give start and end positions, or choose a whole turn) before applying codes.',
          );
        start = Number(s);
        end = Number(e);
      }
      const changes: QualChange[] = [...ensureCoder(state, q)];
      const codes = [...codeIds];
      const project = toQualProject(state);
      if (newCode) {
        // While coding is blind a new code is the coder's own (others neither see nor reuse it).
        const blind = !state.project.comparisonOpen;
        const same = project.codes.find(
          (c) =>
            c.name.toLocaleLowerCase() === newCode.toLocaleLowerCase() &&
            (!blind || c.createdBy === undefined || c.createdBy === q.actor.coderId),
        );
        if (same) codes.push(same.id);
        else {
          const id = newId('code');
          const code = {
            id,
            name: newCode,
            parentId: null,
            definition: '',
            examples: [],
            codable: true,
            ...(blind ? { createdBy: q.actor.coderId } : {}),
          };
          project.codes.push(code);
          changes.push({ kind: 'code', id, expect: 'new', data: code });
          codes.push(id);
        }
      }
      if (!codes.length) return refuse('invalid', 'Choose at least one code (or name a new one) to apply.');
      if (!project.coders.some((c) => c.id === q.actor.coderId))
        project.coders.push({ id: q.actor.coderId, name: q.user.displayName });
      const seg = createSegment(project, {
        id: segId,
        sourceId: sid,
        start,
        end,
        codeIds: [...new Set(codes)],
        coderId: q.actor.coderId,
        ...(memo ? { memo } : {}),
        createdAt: nowIso(),
      });
      if (!seg.ok) return invalid(seg.issues, 'The segment cannot be saved: ');
      changes.push({ kind: 'segment', id: segId, expect: 'new', data: seg.value });
      return { changes, result: null };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/sources/${encodeURIComponent(sid)}#transcript`);
  });

  app.post('/studies/:id/qual/segments/:segId/delete', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.edit);
    const { segId } = segments(req, 'segId');
    const version = versionField(bodyOf(req));
    const sid = await applyPlan(ctx, q, (state) => {
      const seg = state.get('segment', segId);
      // Another coder's segment is "not found" while coding is blind, and never deletable.
      if (!seg || (seg.data.coderId !== q.actor.coderId && state.project.comparisonOpen === false))
        return refuse('not_found', 'Segment not found.');
      if (seg.data.coderId !== q.actor.coderId)
        return refuse('invalid', 'You can delete only your own segments.');
      const changes: QualChange[] = [{ kind: 'segment', id: segId, expect: version, data: null }];
      for (const t of state.entities.theme)
        if (t.data.quoteSegmentIds.includes(segId))
          changes.push({
            kind: 'theme',
            id: t.id,
            expect: 'any',
            data: { ...t.data, quoteSegmentIds: t.data.quoteSegmentIds.filter((x) => x !== segId) },
            audit: { action: 'theme.quote_removed' },
          });
      for (const m of state.entities.memo)
        if (m.data.target.kind === 'segment' && m.data.target.id === segId)
          changes.push({ kind: 'memo', id: m.id, expect: 'any', data: null });
      return { changes, result: seg.data.sourceId };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/sources/${encodeURIComponent(sid)}#transcript`);
  });
}

function importForm(base: string, csrf: string): string {
  return (
    `<h2>Import a transcript</h2><form method="post" action="${base}/sources" class="stack">${csrfInput(csrf)}` +
    '<div class="field"><label for="name">Name</label><input type="text" id="name" name="name" maxlength="200" placeholder="Focus group 1" dir="auto"></div>' +
    '<div class="field"><label for="language">Main language</label><select id="language" name="language"><option value="en">English (en)</option><option value="ur">Urdu (ur)</option><option value="pa">Punjabi (pa)</option><option value="und">Other / mixed (und)</option></select></div>' +
    '<div class="field"><label for="format">Format</label><select id="format" name="format"><option value="">Recognise it</option><option value="txt">Plain text (.txt)</option><option value="vtt">WebVTT (.vtt)</option><option value="srt">SubRip (.srt)</option><option value="docx">Word (.docx, upload only)</option></select></div>' +
    '<div class="field"><label for="text">Paste the transcript (.txt, .vtt or .srt)</label><textarea id="text" name="text" rows="12" dir="auto" placeholder="Moderator: …&#10;Participant 4: …"></textarea><span class="hint">One turn per line, starting with the speaker and a colon: “Participant 4:”, “P4:”, “Moderator:”, “شریک ۴:”.</span></div>' +
    '<div class="field" data-js hidden><label for="file">…or choose a file (.txt, .docx, .vtt, .srt)</label><input type="file" id="file" accept=".txt,.docx,.vtt,.srt,text/plain,text/vtt" data-b64="file_b64" data-b64-name="file_name"></div>' +
    '<input type="hidden" id="file_b64" name="file_b64" value=""><input type="hidden" id="file_name" name="file_name" value="">' +
    '<label class="check"><input type="checkbox" name="participants" value="1" checked> Add participants for new speakers (“P4”, or a name, which gets the next pseudonym)</label>' +
    '<label class="check"><input type="checkbox" name="pseudonymize" value="1" checked> Replace participants’ names in the text by their pseudonyms</label>' +
    '<p><button class="primary">Import</button></p></form>'
  );
}
