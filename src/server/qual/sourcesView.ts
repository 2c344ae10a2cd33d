/**
 * The transcripts pages as views: the transcript as HTML (speaker turns, highlighted segments), the code
 * checkboxes, the import form, the page after an import ({@link importedView}) and the coding page
 * ({@link codingView} of a {@link CodingModel} built by {@link codingModel}). Pure functions of their inputs;
 * the handlers are in src/server/qual/sources.ts.
 */
import { consensusCodeLabels } from '../../core/qual/codebook.js';
import type { TranscriptFormat } from '../../core/qual/import.js';
import {
  type Code,
  codePath,
  codesInTreeOrder,
  type Participant,
  type QualProject,
  type Segment,
  type Turn,
} from '../../core/qual/model.js';
import { codePointLength, OffsetIndex } from '../../core/qual/offsets.js';
import { participantLabel } from '../../core/qual/transcript.js';
import { at } from '../../core/stats/at.js';
import type { MediaMeta, StoredSource } from '../../store/index.js';
import { attr, type Html, html, join, raw } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { colourClass, depthClass } from './assets.js';
import { csrfInput, postButton } from './common.js';
import { mediaPanel, turnPlayer } from './media.js';

/** A carriage return as a character reference (the HTML parser would drop a literal one). */
const CR: Html = raw('&#13;');

/** Text for HTML, with CR kept as a character reference. */
export function textWithCr(s: string): Html {
  return join(s.split('\r'), CR);
}

/** The code checkboxes of a form, in tree order, indented by depth. */
export function codeCheckboxes(codes: readonly Code[], checked: ReadonlySet<string>, name = 'codes'): Html {
  const depth = (c: Code) => codePath(codes, c.id).length - 1;
  // A code merged into another in the consensus codebook is applied as its target: offer the target only.
  return join(
    codesInTreeOrder(codes)
      .filter((c) => c.mergedInto === undefined)
      .map((c) =>
        c.codable
          ? html`<label class="${depthClass(depth(c))}"><input type="checkbox" name="${name}" value="${c.id}"${attr('checked', checked.has(c.id))}> ${c.color && html`<span class="swatch ${colourClass(c.color)}"></span>`}${c.name}</label>`
          : html`<span class="muted ${depthClass(depth(c))}">${c.name}</span>`,
      ),
    html`<br>`,
  );
}

/**
 * The transcript as HTML: one paragraph per speaker turn (text between turns only when it is not blank),
 * `dir="auto"` so Urdu and English paragraphs each take their own direction (the speaker label has its own
 * `dir`, so the paragraph's direction comes from what was said). Every piece of text is a span whose
 * `data-o` is its first code point; pieces covered by segments are highlighted.
 */
function renderTranscript(
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
    play?: (t: Turn) => Html;
  },
): Html {
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
  const out: Html[] = [];
  for (const bl of blocks) {
    const cuts = new Set([bl.start, bl.end, bl.contentStart]);
    const inBlock = segs.filter((s) => s.start < bl.end && s.end > bl.start);
    for (const s of inBlock) {
      if (s.start > bl.start && s.start < bl.end) cuts.add(s.start);
      if (s.end > bl.start && s.end < bl.end) cuts.add(s.end);
    }
    const points = [...cuts].filter((x) => x >= bl.start && x <= bl.end).sort((a, b) => a - b);
    const label: Html[] = [];
    const body: Html[] = [];
    for (let k = 0; k + 1 < points.length; k++) {
      const a = at(points, k);
      const b = at(points, k + 1);
      if (b <= a) continue;
      const cover = inBlock.filter((s) => s.start < b && s.end > a);
      let attrs: Html | '' = '';
      if (cover.length) {
        const other = options.viewer !== null && cover.every((s) => s.coderId !== options.viewer);
        const ids = [...new Set(cover.flatMap((s) => s.codeIds))];
        const codes = options.codesLabel
          ? [options.codesLabel(ids)]
          : ids.map((c) => options.codeNames.get(c) ?? c);
        const coders = [...new Set(cover.map((s) => options.coderNames.get(s.coderId) ?? s.coderId))];
        const tints = new Set(cover.flatMap((s) => s.codeIds).map((c) => options.codeClasses?.get(c) ?? ''));
        const tint = tints.size === 1 ? [...tints][0] : '';
        attrs = html` class="hl${cover.length > 1 && ' many'}${tint && ` ${tint}`}${other && ' other'}" title="${`${codes.join(', ')} — ${coders.join(', ')}`}" data-segs="${cover.map((s) => s.id).join(' ')}"`;
      }
      const span = html`<span data-o="${a}"${attrs}>${textWithCr(idx.slice(a, b))}</span>`;
      if (bl.turn && b <= bl.contentStart) label.push(span);
      else body.push(span);
    }
    const who = bl.turn ? options.speaker(bl.turn) : '';
    out.push(
      html`<p dir="auto"${bl.turn ? html` id="turn-${bl.turn.index}" title="${who}"` : html` class="gap"`}>${
        bl.turn && options.play ? options.play(bl.turn) : ''
      }${label.length > 0 && html`<span class="spk" dir="auto">${label}</span>`}${body}</p>`,
    );
  }
  return join(out);
}

/**
 * How the coding page names codes once some are merged in the consensus codebook: a segment shows its code's
 * consensus name (the target), the code the coder applied in a tooltip ("Fear of failure (coded as
 * “Terrified”)" in the transcript's highlight title); the highlight takes the target's colour.
 */
function codeDisplay(codes: readonly Code[]): {
  codeNames: Map<string, string>;
  codesLabel: (ids: readonly string[]) => string;
  codeClasses: Map<string, string>;
  codesCell: (ids: readonly string[]) => Html;
} {
  const labels = consensusCodeLabels(codes);
  const colour = new Map(codes.map((c) => [c.id, colourClass(c.color)]));
  const codeNames = new Map<string, string>();
  const codeClasses = new Map<string, string>();
  for (const c of codes) {
    const l = at(labels([c.id]), 0);
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
    join(
      labels(ids).map((l) =>
        l.mergedFrom.length
          ? html`<span class="merged" title="${`Coded as ${l.mergedFrom.map((n) => `“${n}”`).join(', ')}, merged into “${l.name}” in the consensus codebook`}">${l.name}</span>`
          : l.name,
      ),
      ', ',
    );
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

/** Where segments of a source start and who speaks there. */
function speakerOf(turns: readonly Turn[], participants: readonly Participant[], pos: number): string {
  const t = turns.find((x) => pos >= x.start && pos < Math.max(x.end, x.start + 1));
  if (!t) return '—';
  const p = t.participantId ? participants.find((x) => x.id === t.participantId) : undefined;
  return p ? participantLabel(p) : t.speakerKey;
}

/** The transcript import form (text pasted, or a file read by qual.js into `file_b64`). */
export function importForm(base: string, csrf: string): Html {
  return html`<h2>Import a transcript</h2><form method="post" action="${base}/sources" class="stack">${csrfInput(csrf)}<div class="field"><label for="name">Name</label><input type="text" id="name" name="name" maxlength="200" placeholder="Focus group 1" dir="auto"></div><div class="field"><label for="language">Main language</label><select id="language" name="language"><option value="en">English (en)</option><option value="ur">Urdu (ur)</option><option value="pa">Punjabi (pa)</option><option value="und">Other / mixed (und)</option></select></div><div class="field"><label for="format">Format</label><select id="format" name="format"><option value="">Recognise it</option><option value="txt">Plain text (.txt)</option><option value="vtt">WebVTT (.vtt)</option><option value="srt">SubRip (.srt)</option><option value="docx">Word (.docx, upload only)</option></select></div><div class="field"><label for="text">Paste the transcript (.txt, .vtt or .srt)</label><textarea id="text" name="text" rows="12" dir="auto" placeholder="Moderator: …&#10;Participant 4: …"></textarea><span class="hint">One turn per line, starting with the speaker and a colon: “Participant 4:”, “P4:”, “Moderator:”, “شریک ۴:”.</span></div><div class="field" data-js hidden><label for="file">…or choose a file (.txt, .docx, .vtt, .srt)</label><input type="file" id="file" accept=".txt,.docx,.vtt,.srt,text/plain,text/vtt" data-b64="file_b64" data-b64-name="file_name"></div><input type="hidden" id="file_b64" name="file_b64" value=""><input type="hidden" id="file_name" name="file_name" value=""><label class="check"><input type="checkbox" name="participants" value="1" checked> Add participants for new speakers (“P4”, or a name, which gets the next pseudonym)</label><label class="check"><input type="checkbox" name="pseudonymize" value="1" checked> Replace participants’ names in the text by their pseudonyms</label><p><button class="primary">Import</button></p></form>`;
}

/** One row of the transcripts list. */
export interface SourceRow {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  readonly format: string;
  /** Characters (code points). */
  readonly length: number;
  readonly turns: number;
  /** Participants with a turn in it. */
  readonly participants: number;
  /** Segments on it the caller may see. */
  readonly segments: number;
}

/** The transcripts page: the caller's view of the transcripts, and the import form. */
export interface SourcesModel {
  readonly base: string;
  /** Whether coding is blind (the segment counts are the caller's own). */
  readonly blind: boolean;
  readonly rows: readonly SourceRow[];
}

/** The transcripts page: each transcript with its counts and a delete button, then the import form. */
export function sourcesView(m: SourcesModel, csrf: string): Html {
  const rows = m.rows.map((r) => [
    html`<a href="${m.base}/sources/${r.id}" dir="auto">${r.name}</a>`,
    r.language,
    r.format,
    r.length,
    r.turns,
    r.participants,
    r.segments,
    postButton(`${m.base}/sources/${encodeURIComponent(r.id)}/delete`, csrf, 'Delete', {}, 'danger'),
  ]);
  const head = ['Transcript', 'Language', 'Format', 'Characters', 'Turns', 'Participants'];
  return html`<h1>Transcripts &amp; coding</h1>${
    rows.length
      ? dataTable(
          [...head, m.blind ? 'Your segments' : 'Segments', html`<span class="muted">Actions</span>`],
          rows,
          { numeric: [3, 4, 5, 6] },
        )
      : html`<p>No transcripts yet.</p>`
  }${importForm(m.base, csrf)}`;
}

/** What the page after a transcript import says. */
export interface ImportedModel {
  readonly base: string;
  readonly sourceId: string;
  readonly name: string;
  readonly format: TranscriptFormat;
  readonly language: string;
  /** Characters (code points). */
  readonly length: number;
  readonly turns: number;
  /** Turns linked to a participant. */
  readonly linked: number;
  /** Pseudonyms of the participants made from speaker labels. */
  readonly added: readonly string[];
  /** Names replaced by pseudonyms in the text. */
  readonly replacements: number;
  /** What the importer noticed (unlinked speakers, .docx problems). */
  readonly notes: readonly string[];
}

/** The page after a transcript import: what was taken, new participants, the importer's notes. */
export function importedView(m: ImportedModel): Html {
  return html`<h1>Transcript imported</h1><p class="ok"><strong dir="auto">${m.name}</strong> (${m.format}, ${m.language}): ${m.length} characters, ${m.turns} speaker turns, ${m.linked} linked to participants.</p>${
    m.added.length > 0 &&
    html`<p>New participants from the speaker labels: ${m.added.join(', ')}. Add their attributes on the <a href="${m.base}/participants">participants page</a>.</p>`
  }${m.replacements > 0 && html`<p>${m.replacements} name(s) in the transcript were replaced by pseudonyms.</p>`}${
    m.notes.length > 0 &&
    html`<div class="notice"><p><strong>The importer noticed:</strong></p><ul>${m.notes.map((n) => html`<li>${n}</li>`)}</ul></div>`
  }<p><a class="button primary" href="${m.base}/sources/${m.sourceId}">Open it for coding</a> <a href="${m.base}/sources">All transcripts</a></p>`;
}

/** The coding page of one transcript. */
interface CodingModel {
  readonly base: string;
  readonly studyId: number;
  readonly sourceId: string;
  readonly name: string;
  readonly language: string;
  /** Characters (code points). */
  readonly length: number;
  readonly turnCount: number;
  /** Whether the caller sees only their own segments. */
  readonly blind: boolean;
  /** The transcript with its highlighted passages ({@link renderTranscript}). */
  readonly transcript: Html;
  readonly media: MediaMeta | undefined;
  /** Turns with a time (playable from the recording). */
  readonly timedTurns: number;
  readonly segments: readonly {
    readonly id: string;
    readonly excerpt: string;
    readonly start: number;
    readonly end: number;
    readonly memo: string | undefined;
    readonly codes: Html;
    readonly speaker: string;
    readonly coder: string;
    /** The version to delete it at: set for the caller's own segments only. */
    readonly deleteVersion: number | undefined;
  }[];
  /** The "whole turn" choices of the coding form. */
  readonly turns: readonly { readonly index: number; readonly label: string }[];
  /** The codebook as the coder sees it (checkboxes). */
  readonly codes: readonly Code[];
}

/** The coding page's model: the visible project, the transcript's stored record, and who is looking. */
export function codingModel(input: {
  readonly base: string;
  readonly studyId: number;
  readonly source: StoredSource & { readonly id: string };
  readonly project: QualProject;
  readonly segmentVersions: ReadonlyMap<string, number>;
  readonly coderNames: ReadonlyMap<string, string>;
  /** The caller as a coder. */
  readonly viewer: string | null;
  readonly blind: boolean;
}): CodingModel {
  const { project, source: src } = input;
  const { source, turns } = src;
  const segs = project.segments.filter((s) => s.sourceId === src.id);
  const { codeNames, codesLabel, codeClasses, codesCell } = codeDisplay(project.codes);
  const speaker = speakerName(project.participants);
  const play = turnPlayer(input.studyId, src.id, src.media, turns);
  const idx = new OffsetIndex(source.text);
  return {
    base: input.base,
    studyId: input.studyId,
    sourceId: src.id,
    name: source.name,
    language: source.language,
    length: idx.length,
    turnCount: turns.length,
    blind: input.blind,
    transcript: renderTranscript(source.text, turns, segs, {
      codeNames,
      codesLabel,
      codeClasses,
      coderNames: input.coderNames,
      viewer: input.viewer,
      speaker,
      ...(play ? { play } : {}),
    }),
    media: src.media,
    timedTurns: turns.filter((t) => t.time !== undefined).length,
    segments: segs.map((s) => ({
      id: s.id,
      excerpt: excerpt(idx.slice(s.start, s.end)),
      start: s.start,
      end: s.end,
      memo: s.memo ? excerpt(s.memo, 60) : undefined,
      codes: codesCell(s.codeIds),
      speaker: speakerOf(turns, project.participants, s.start),
      coder: input.coderNames.get(s.coderId) ?? s.coderId,
      deleteVersion: s.coderId === input.viewer ? (input.segmentVersions.get(s.id) ?? 1) : undefined,
    })),
    turns: turns.map((t) => ({
      index: t.index,
      label: `#${t.index + 1} ${speaker(t)}: ${excerpt(idx.slice(t.contentStart, Math.max(t.contentStart, t.end)), 50)}`,
    })),
    codes: project.codes,
  };
}

/** The coding page: the transcript, its segments, and the form that codes a passage. */
export function codingView(m: CodingModel, csrf: string): Html {
  const rows = m.segments.map((s) => [
    html`<span dir="auto">${textWithCr(s.excerpt)}</span><br><span class="muted">${s.start}–${s.end}${s.memo !== undefined && html` · memo: ${s.memo}`}</span>`,
    s.codes,
    s.speaker,
    s.coder,
    s.deleteVersion !== undefined &&
      postButton(`${m.base}/segments/${encodeURIComponent(s.id)}/delete`, csrf, 'Delete', {
        version: s.deleteVersion,
      }),
  ]);
  return html`<h1 dir="auto">${m.name}</h1><p class="muted">${m.language} · ${m.length} characters · ${m.turnCount} turns · ${
    m.blind
      ? 'blind coding: you see your own segments only'
      : 'comparison open: all coders’ segments shown (blue: other coders)'
  }</p>${mediaPanel(m.studyId, m.sourceId, m.media, m.timedTurns, csrf)}<div class="coding"><div><div id="transcript" class="transcript" lang="${m.language}">${m.transcript}</div><h2>Segments${m.blind && ' (yours)'}</h2>${
    rows.length ? dataTable(['Text', 'Codes', 'Speaker', 'Coder', ''], rows) : html`<p>No segments yet.</p>`
  }</div><div class="side">${codingForm(m, csrf)}</div></div>`;
}

function codingForm(m: CodingModel, csrf: string): Html {
  return html`<form method="post" action="${m.base}/sources/${m.sourceId}/segments" id="code-form" class="stack">${csrfInput(csrf)}<h2>Code a passage</h2><p class="hint">Select text in the transcript: its position fills in below. Without JavaScript, type the positions (characters, counted from 0, end not included) or pick a whole turn.</p><div id="selection-preview" class="preview" dir="auto" aria-live="polite"></div><div class="row"><label>Start <input type="number" name="start" min="0" max="${m.length}" class="w7"></label> <label>End <input type="number" name="end" min="1" max="${m.length}" class="w7"></label></div><div class="field"><label for="turn">…or a whole turn</label><select id="turn" name="turn"><option value="">—</option>${m.turns.map(
    (t) => html`<option value="${t.index}">${t.label}</option>`,
  )}</select></div><fieldset><legend>Codes</legend>${
    m.codes.length
      ? codeCheckboxes(m.codes, new Set())
      : html`<p class="muted">No codes yet: name one below.</p>`
  }</fieldset><div class="field"><label for="new_code">New code</label><input type="text" id="new_code" name="new_code" maxlength="200" dir="auto"></div><div class="field"><label for="memo">Memo on this segment</label><textarea id="memo" name="memo" dir="auto"></textarea></div><p><button class="primary">Apply codes</button></p></form>`;
}
