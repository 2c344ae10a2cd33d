/**
 * Transcripts: speaker-turn recognition and importers for plain text, WebVTT and SRT (pure: string in,
 * transcript out). The .docx importer, which needs a ZIP reader, lives in src/import/docx.ts and feeds its
 * paragraphs to {@link importText}.
 *
 * A speaker line starts with an optional timestamp ("[00:12:03]", "(12:03)", "00:12:03 -") and a label ending in
 * a colon: "Participant 4:", "P4:", "P 4:", "Respondent 2:", "Moderator:", "Interviewer:", "Facilitator:",
 * "Speaker 2:", Urdu labels ("شریک ۴:", "ماڈریٹر:", "انٹرویور:") or a name ("Ayesha:", "عائشہ:"). Lines that
 * start no new turn continue the turn before (multi-paragraph answers). A name is taken as a speaker only when it
 * is a participant's alias or name, or when it labels at least `minNameOccurrences` lines (default 2), so a
 * one-off "Note:" or "Yes:" does not start a turn; common words ("Note", "Question", "Time" …) never do.
 *
 * Turn offsets are code points, end-exclusive: `start` is the start of the speaker line, `contentStart` the first
 * character after "P4: ", `end` the end of what was said (trailing blank lines and spaces excluded).
 */
import type { Issue } from '../instrument/schema.js';
import { asciiDigits } from '../response/normalize.js';
import { at, present } from '../stats/at.js';
import type { Participant, Source, SpeakerRole, Turn } from './model.js';
import { OffsetIndex } from './offsets.js';

/** A transcript: the source, its speaker turns, and what the importer noticed (never fatal). */
export interface Transcript {
  readonly source: Source;
  readonly turns: readonly Turn[];
  readonly issues: readonly Issue[];
}

/** Identity of the source being imported. */
export interface SourceMeta {
  readonly id: string;
  readonly name: string;
  /** BCP 47 tag, e.g. "ur", "en". */
  readonly language: string;
  readonly createdAt?: string;
}

export interface RecognizeOptions {
  /** Participants whose pseudonyms, aliases and names link speaker labels to them. */
  readonly participants?: readonly Participant[];
  /** Accept unknown name labels that occur on at least this many lines (default 2). */
  readonly minNameOccurrences?: number;
  /** Recognise names as speaker labels at all (default true). */
  readonly names?: boolean;
}

interface TextImportOptions extends RecognizeOptions {
  /** 'lf' (default) turns CRLF and lone CR into LF; 'keep' leaves line breaks as they are. */
  readonly lineEndings?: 'lf' | 'keep';
}

// ---------------------------------------------------------------------------------------------------------
// Text normalisation

/** Strip a byte-order mark, normalise to NFC and (by default) turn CRLF / CR line breaks into LF. */
function normalizeSourceText(raw: string, lineEndings: 'lf' | 'keep' = 'lf'): string {
  let s = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  s = s.normalize('NFC');
  return lineEndings === 'lf' ? s.replace(/\r\n?/g, '\n') : s;
}

// ---------------------------------------------------------------------------------------------------------
// Speaker labels

/** What a label says about its speaker. `kind: 'name'` labels need confirmation (alias or repetition). */
interface SpeakerLabel {
  readonly label: string;
  readonly key: string;
  readonly role: SpeakerRole;
  readonly kind: 'numbered' | 'role' | 'generic' | 'name';
}

const DIGITS = String.raw`[0-9\u06F0-\u06F9\u0660-\u0669]{1,4}`;
const PARTICIPANT_WORDS = String.raw`participant|participants|respondent|student|interviewee|p|r|شریک|شرکت\s?کنندہ|طالب\s?علم`;
const RE_NUMBERED = new RegExp(String.raw`^(?:${PARTICIPANT_WORDS})\s*[#.\-]?\s*(${DIGITS})$`, 'iu');
const RE_PARTICIPANT_PLAIN = /^(?:participant|respondent|interviewee|r|شریک|شرکت\s?کنندہ)$/iu;
const RE_SPEAKER_N = new RegExp(String.raw`^(?:speaker|spk|بولنے\s?والا)\s*[#.\-]?\s*(${DIGITS})$`, 'iu');
const ROLE_WORDS: readonly [SpeakerRole, string, RegExp][] = [
  ['moderator', 'Moderator', /^(?:moderator|mod|m|facilitator|f|ماڈریٹر|منتظم|سہولت\s?کار)$/iu],
  ['interviewer', 'Interviewer', /^(?:interviewer|int|i|researcher|انٹرویور|محقق)$/iu],
  ['observer', 'Observer', /^(?:observer|note[\s-]?taker|مشاہدہ\s?کار)$/iu],
];
const RE_ROLE_NUM = new RegExp(String.raw`^(.*?)\s*(${DIGITS})$`, 'u');
const RE_NAME_CASED = /^\p{Lu}[\p{L}\p{M}'’.-]*(?: \p{Lu}[\p{L}\p{M}'’.-]*){0,2}$/u;
const RE_NAME_ARABIC = /^[\p{Script=Arabic}\p{M}]+(?: [\p{Script=Arabic}\p{M}]+){0,2}$/u;
/** Words that head lines of notes and questions, never speakers. */
const STOPWORDS = new Set(
  (
    'note notes question questions q a answer time date location place venue topic theme themes session transcript ' +
    'transcription end start duration title summary comment comments example context translation translated subject ' +
    're fgd interview attendees present participants audio recording file page section part introduction intro ' +
    'conclusion yes no ok okay well so and but also then now here there this that what why how who when where ' +
    'remember important definition probe prompt follow-up followup nb ps edit edited break pause silence ' +
    'نوٹ سوال جواب وقت تاریخ موضوع'
  ).split(' '),
);

function collapse(s: string): string {
  return s.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * Classify a speaker label (without its colon). Returns null when it cannot be a speaker label.
 * "Participant 4", "P4", "p 04", "شریک ۴" → key "P4" (participant); "Moderator", "Facilitator" → "Moderator";
 * "Moderator 2" → "Moderator 2"; "Speaker 3" → "Speaker 3" (role unknown until linked); names → kind 'name'.
 */
export function classifyLabel(raw: string): SpeakerLabel | null {
  const label = collapse(raw.replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, ''));
  if (label === '' || label.length > 40) return null;
  let m = RE_NUMBERED.exec(label);
  if (m) return { label, key: `P${Number(asciiDigits(at(m, 1)))}`, role: 'participant', kind: 'numbered' };
  if (RE_PARTICIPANT_PLAIN.test(label))
    return { label, key: 'Participant', role: 'participant', kind: 'generic' };
  m = RE_SPEAKER_N.exec(label);
  if (m) return { label, key: `Speaker ${Number(asciiDigits(at(m, 1)))}`, role: 'unknown', kind: 'generic' };
  const num = RE_ROLE_NUM.exec(label);
  const word = num ? at(num, 1) : label;
  for (const [role, key, re] of ROLE_WORDS) {
    if (re.test(word)) {
      const n = num ? Number(asciiDigits(at(num, 2))) : undefined;
      return { label, key: n === undefined ? key : `${key} ${n}`, role, kind: 'role' };
    }
  }
  if (STOPWORDS.has(label.toLowerCase()) || STOPWORDS.has(at(label.split(' '), 0).toLowerCase())) return null;
  if (RE_NAME_CASED.test(label) || RE_NAME_ARABIC.test(label))
    return { label, key: label, role: 'unknown', kind: 'name' };
  return null;
}

const BIDI = String.raw`\u200E\u200F\u202A-\u202E\u2066-\u2069`;
const TS = String.raw`\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?`;
/** Optional timestamp, then a label of 1–40 characters without a colon, then a colon not followed by a digit. */
const RE_SPEAKER_LINE = new RegExp(
  String.raw`^[ \t${BIDI}]*(?:[\[(]?(${TS})[\])]?[ \t]*(?:[-–—][ \t]*)?)?([^:：\n\[\]()]{1,40}?)(?:[ \t]*[\[(](${TS})[\])])?[ \t]*[:：](?![0-9])[ \t]*`,
  'u',
);
const RE_TS_ONLY = new RegExp(String.raw`^[ \t${BIDI}]*[\[(]?(${TS})[\])]?[ \t]*$`, 'u');

/** Seconds of "hh:mm:ss", "mm:ss", "hh:mm:ss.mmm" / "…,mmm". */
export function parseTimestamp(ts: string): number {
  const [main, frac] = ts.split(/[.,]/);
  const parts = present(main, 'the time of a timestamp').split(':').map(Number);
  let s = 0;
  for (const p of parts) s = s * 60 + p;
  if (frac !== undefined) s += Number(`0.${frac}`);
  return s;
}

/** "[hh:mm:ss]" of a number of seconds (floored). */
export function formatTimestamp(seconds: number): string {
  const t = Math.floor(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** Case-insensitive lookup key of a label or name. */
function fold(s: string): string {
  return collapse(asciiDigits(s)).toLocaleLowerCase('en');
}

/** Maps speaker keys and folded names/aliases to participant ids. */
export class SpeakerDirectory {
  private readonly byKey = new Map<string, string>();
  private readonly count: number;
  private readonly only: string | null;

  constructor(participants: readonly Participant[] = []) {
    this.count = participants.length;
    this.only = participants.length === 1 ? at(participants, 0).id : null;
    for (const p of participants) {
      const add = (s: string) => {
        const c = classifyLabel(s);
        if (c && c.kind !== 'name') this.byKey.set(fold(c.key), p.id);
        this.byKey.set(fold(s), p.id);
      };
      add(p.pseudonym);
      for (const a of p.aliases) add(a);
      if (p.name) add(p.name);
    }
  }

  /** Participant id for a classified label, or null. A lone "Respondent:" links to the only participant. */
  lookup(c: SpeakerLabel): string | null {
    const hit = this.byKey.get(fold(c.key)) ?? this.byKey.get(fold(c.label));
    if (hit) return hit;
    if (c.kind === 'generic' && c.key === 'Participant' && this.count === 1) return this.only;
    return null;
  }
}

interface Candidate {
  /** UTF-16 index of the line start. */
  lineStart: number;
  /** UTF-16 index after the label, colon and spaces. */
  contentStart: number;
  label: SpeakerLabel;
  time?: number;
}

/**
 * Find the speaker turns of a text (see the module comment for the rules). Offsets are code points.
 * Issues report speaker labels not linked to a participant and a text without any turns.
 */
export function recognizeTurns(
  text: string,
  options: RecognizeOptions = {},
): { turns: Turn[]; issues: Issue[] } {
  const dir = new SpeakerDirectory(options.participants);
  const minNames = options.minNameOccurrences ?? 2;
  const allowNames = options.names ?? true;
  const lines: { start: number; end: number }[] = [];
  for (let i = 0; i <= text.length; ) {
    let j = text.indexOf('\n', i);
    if (j < 0) j = text.length;
    lines.push({ start: i, end: j > i && text[j - 1] === '\r' ? j - 1 : j });
    i = j + 1;
  }
  const cands: (Candidate | { tsOnly: number } | null)[] = lines.map(({ start, end }) => {
    const line = text.slice(start, end);
    const ts = RE_TS_ONLY.exec(line);
    if (ts) return { tsOnly: parseTimestamp(at(ts, 1)) };
    const m = RE_SPEAKER_LINE.exec(line);
    if (!m) return null;
    const label = classifyLabel(at(m, 2));
    if (!label) return null;
    const t = m[1] ?? m[3];
    return {
      lineStart: start,
      contentStart: start + m[0].length,
      label,
      ...(t !== undefined ? { time: parseTimestamp(t) } : {}),
    };
  });
  const nameCount = new Map<string, number>();
  for (const c of cands)
    if (c && 'label' in c && c.label.kind === 'name')
      nameCount.set(c.label.key, (nameCount.get(c.label.key) ?? 0) + 1);

  const idx = new OffsetIndex(text);
  const cp = (u: number) => idx.fromUtf16(u, 'floor');
  const turns: Turn[] = [];
  const issues: Issue[] = [];
  const unlinked = new Map<string, number>();
  let pendingTime: number | undefined;
  let open: { c: Candidate; lastContentEnd: number; pid: string | null; role: SpeakerRole } | null = null;
  const close = () => {
    if (!open) return;
    const { c, pid, role } = open;
    const start = cp(c.lineStart);
    const contentStart = cp(c.contentStart);
    const end = Math.max(contentStart, cp(open.lastContentEnd));
    turns.push({
      index: turns.length,
      start,
      end,
      contentStart,
      label: c.label.label,
      speakerKey: c.label.key,
      role,
      participantId: pid,
      ...(c.time !== undefined ? { time: c.time } : {}),
    });
    open = null;
  };
  lines.forEach((ln, k) => {
    const c = cands[k];
    if (c && 'tsOnly' in c) {
      pendingTime = c.tsOnly;
      return;
    }
    let accepted: Candidate | null = null;
    if (c) {
      const linked = dir.lookup(c.label);
      if (
        c.label.kind !== 'name' ||
        (allowNames && (linked !== null || (nameCount.get(c.label.key) ?? 0) >= minNames))
      )
        accepted = c;
    }
    if (accepted) {
      close();
      const pid = dir.lookup(accepted.label);
      const role: SpeakerRole = pid !== null ? 'participant' : accepted.label.role;
      if (pid === null && role !== 'moderator' && role !== 'interviewer' && role !== 'observer')
        unlinked.set(accepted.label.key, (unlinked.get(accepted.label.key) ?? 0) + 1);
      if (accepted.time === undefined && pendingTime !== undefined)
        accepted = { ...accepted, time: pendingTime };
      pendingTime = undefined;
      const trimmedEnd = trimEnd(text, accepted.contentStart, ln.end);
      open = { c: accepted, lastContentEnd: trimmedEnd, pid, role };
      return;
    }
    if (open) {
      const e = trimEnd(text, ln.start, ln.end);
      if (e > ln.start || (e === ln.start && /\S/.test(text.slice(ln.start, ln.end))))
        open.lastContentEnd = Math.max(open.lastContentEnd, e);
    }
  });
  close();
  if (turns.length === 0)
    issues.push({
      path: 'text',
      code: 'no_turns',
      message:
        'No speaker turns were recognised. Start each turn on a new line with a label and a colon, e.g. "Participant 4:" or "Moderator:".',
    });
  for (const [key, n] of unlinked)
    issues.push({
      path: `speaker.${key}`,
      code: 'unlinked_speaker',
      message: `Speaker "${key}" (${n} turn${n === 1 ? '' : 's'}) is not linked to a participant; add "${key}" as an alias of the participant it refers to.`,
    });
  return { turns, issues };
}

/** UTF-16 index after the last non-whitespace character of `text[from, to)`, or `from` if there is none. */
function trimEnd(text: string, from: number, to: number): number {
  let e = to;
  while (e > from && /\s/.test(at(text, e - 1))) e--;
  return e;
}

// ---------------------------------------------------------------------------------------------------------
// Participants

/**
 * Give participants pseudonyms P1…Pn in the given order (or, with `turns`, in order of first speaking; those who
 * never speak follow in the given order). Aliases keep the old pseudonym so existing labels still link.
 */
export function assignPseudonyms(
  participants: readonly Participant[],
  options: { prefix?: string; turns?: readonly Turn[] } = {},
): Participant[] {
  const prefix = options.prefix ?? 'P';
  let order = participants.map((_, i) => i);
  if (options.turns) {
    const first = new Map<string, number>();
    options.turns.forEach((t, k) => {
      if (t.participantId !== null && !first.has(t.participantId)) first.set(t.participantId, k);
    });
    order = [...order].sort((a, b) => {
      const fa = first.get(at(participants, a).id) ?? Number.POSITIVE_INFINITY;
      const fb = first.get(at(participants, b).id) ?? Number.POSITIVE_INFINITY;
      return fa - fb || a - b;
    });
  }
  const out = participants.slice();
  order.forEach((i, k) => {
    const p = at(participants, i);
    const pseudonym = `${prefix}${k + 1}`;
    const aliases =
      p.pseudonym !== pseudonym && !p.aliases.includes(p.pseudonym) ? [...p.aliases, p.pseudonym] : p.aliases;
    out[i] = { ...p, pseudonym, aliases };
  });
  return out;
}

/** How a quote names its speaker: "P4" → "Participant 4"; other pseudonyms as they are. */
export function participantLabel(p: Pick<Participant, 'pseudonym'>): string {
  const m = /^P(\d+)$/.exec(p.pseudonym);
  return m ? `Participant ${m[1]}` : p.pseudonym;
}

/** The turns spoken by one participant (e.g. for a member-checking packet). */
export function turnsOf(turns: readonly Turn[], participantId: string): Turn[] {
  return turns.filter((t) => t.participantId === participantId);
}

/** The participant speaking at code-point position `pos`, if the position falls inside a linked turn. */
export function speakerAt(turns: readonly Turn[], pos: number): string | null {
  for (const t of turns) if (pos >= t.start && pos < Math.max(t.end, t.start + 1)) return t.participantId;
  return null;
}

/**
 * Replace participants' names with their pseudonyms — in speaker labels ("Ayesha:" → "P4:") and, with
 * `inText` (default true), wherever the name or a name-like alias appears as a whole word. Run it on import,
 * before coding: positions change. Returns the new transcript (turns recognised again) and how many
 * replacements were made.
 */
export function pseudonymizeTranscript(
  t: Transcript,
  participants: readonly Participant[],
  options: { inText?: boolean } & RecognizeOptions = {},
): { transcript: Transcript; replacements: number } {
  const names: { name: string; pseudonym: string }[] = [];
  for (const p of participants) {
    const candidates = [p.name, ...p.aliases].filter((x): x is string => !!x);
    for (const n of candidates) {
      const c = classifyLabel(n);
      if (c?.kind === 'name' || (p.name !== undefined && n === p.name))
        names.push({ name: collapse(n), pseudonym: p.pseudonym });
    }
  }
  names.sort((a, b) => b.name.length - a.name.length);
  const byId = new Map(participants.map((p) => [p.id, p]));
  let text = t.source.text;
  let replacements = 0;
  // Speaker labels first, from the end so earlier offsets stay valid.
  const idx = new OffsetIndex(text);
  for (const turn of [...t.turns].reverse()) {
    const p = turn.participantId === null ? undefined : byId.get(turn.participantId);
    if (!p) continue;
    const c = classifyLabel(turn.label);
    if (c?.kind !== 'name') continue;
    const a = idx.toUtf16(turn.start);
    const b = idx.toUtf16(turn.contentStart);
    const head = text.slice(a, b);
    const at = head.indexOf(turn.label);
    if (at < 0) continue;
    text =
      text.slice(0, a) + head.slice(0, at) + p.pseudonym + head.slice(at + turn.label.length) + text.slice(b);
    replacements++;
  }
  if (options.inText ?? true) {
    for (const { name, pseudonym } of names) {
      const re = new RegExp(
        String.raw`(?<![\p{L}\p{M}\p{N}])${escapeRegExp(name)}(?![\p{L}\p{M}\p{N}])`,
        'gu',
      );
      text = text.replace(re, () => {
        replacements++;
        return pseudonym;
      });
    }
  }
  const { participants: ps, ...rest } = options;
  const r = recognizeTurns(text, { ...rest, participants: ps ?? participants });
  return {
    transcript: { source: { ...t.source, text }, turns: carryTimes(t.turns, r.turns), issues: r.issues },
    replacements,
  };
}

/**
 * The turns `after` (recognised again from the text, e.g. once participants were added or names replaced)
 * with the start and end times of the turns `before` (e.g. WebVTT/SRT cue times to the millisecond, which the
 * text's "[hh:mm:ss]" stamps only give to the second, and without an end): turn by turn, when both have the
 * same number of turns; otherwise `after` as it is.
 */
export function carryTimes(before: readonly Turn[], after: readonly Turn[]): Turn[] {
  if (before.length !== after.length) return [...after];
  return after.map((t, k) => {
    const b = at(before, k);
    return {
      ...t,
      ...(b.time !== undefined ? { time: b.time } : {}),
      ...(b.endTime !== undefined ? { endTime: b.endTime } : {}),
    };
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Code-point ranges where a participant's name (or a name-like alias) still appears in a text — to check a
 * transcript before it leaves the project. Speaker labels count too.
 */
export function findNames(
  text: string,
  participants: readonly Participant[],
): { start: number; end: number; participantId: string }[] {
  const idx = new OffsetIndex(text);
  const out: { start: number; end: number; participantId: string }[] = [];
  for (const p of participants) {
    const names = [p.name, ...p.aliases].filter(
      (x): x is string => !!x && (x === p.name || classifyLabel(x)?.kind === 'name'),
    );
    for (const n of names) {
      const re = new RegExp(
        String.raw`(?<![\p{L}\p{M}\p{N}])${escapeRegExp(collapse(n))}(?![\p{L}\p{M}\p{N}])`,
        'gu',
      );
      for (const m of text.matchAll(re)) {
        out.push({
          start: idx.fromUtf16(m.index),
          end: idx.fromUtf16(m.index + m[0].length),
          participantId: p.id,
        });
      }
    }
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

// ---------------------------------------------------------------------------------------------------------
// Importers

function sourceOf(meta: SourceMeta, text: string): Source {
  return {
    id: meta.id,
    name: meta.name,
    text,
    language: meta.language,
    ...(meta.createdAt !== undefined ? { createdAt: meta.createdAt } : {}),
  };
}

/** Import a plain-text transcript (.txt): BOM stripped, NFC, line endings per option, turns recognised. */
export function importText(raw: string, meta: SourceMeta, options: TextImportOptions = {}): Transcript {
  const text = normalizeSourceText(raw, options.lineEndings ?? 'lf');
  const { turns, issues } = recognizeTurns(text, options);
  return { source: sourceOf(meta, text), turns, issues };
}

/** A subtitle cue, already stripped of markup. `speaker` is the voice or "P4:" label, if any. */
interface Cue {
  /** Seconds. */
  readonly start: number;
  readonly end: number;
  readonly speaker: string | null;
  readonly text: string;
}

interface CueImportOptions extends RecognizeOptions {
  /** Prefix each turn with "[hh:mm:ss] " (default true). */
  readonly timestamps?: boolean;
}

const RE_VTT_TIME = /^(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})$/;

function cueTime(s: string): number | null {
  const m = RE_VTT_TIME.exec(s.trim());
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00A0',
  lrm: '\u200E',
  rlm: '\u200F',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const n =
        e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

/**
 * Split a cue payload into utterances: a `<v Speaker>` voice span starts one; so does a line beginning with
 * "- " (subtitle dialogue dash). Other tags (<i>, <b>, <c.x>, <00:00:01.000>, {\an8}) are removed and entities
 * decoded. A payload line "P4: …" without a voice keeps its label for turn recognition.
 */
function utterances(payload: string): { speaker: string | null; text: string }[] {
  const out: { speaker: string | null; text: string }[] = [];
  let cur: { speaker: string | null; parts: string[] } | null = null;
  const push = () => {
    if (cur) {
      const text = collapse(cur.parts.join(' '));
      if (text) out.push({ speaker: cur.speaker, text });
    }
    cur = null;
  };
  for (let line of payload.split('\n')) {
    line = line.replace(/\{\\[^}]*\}/g, '');
    const dash = /^\s*[-–]\s+/.exec(line);
    if (dash) {
      push();
      line = line.slice(dash[0].length);
    }
    // Pieces of one line join directly ("are <i>impossible</i>." → "are impossible."); lines join with a space.
    let newLine = true;
    const re = /<v(?:\.[^\s>]*)?\s+([^>]*)>|<\/v>|<[^>]*>|([^<]+)/g;
    for (const m of line.matchAll(re)) {
      if (m[1] !== undefined) {
        push();
        cur = { speaker: collapse(decodeEntities(m[1])), parts: [] };
        newLine = true;
      } else if (m[2] !== undefined) {
        if (!cur) cur = { speaker: null, parts: [] };
        const piece = decodeEntities(m[2]);
        if (newLine || cur.parts.length === 0) cur.parts.push(piece);
        else cur.parts[cur.parts.length - 1] += piece;
        newLine = false;
      }
    }
  }
  push();
  return out;
}

/** Parse WebVTT into cues (markup stripped). NOTE, STYLE and REGION blocks are skipped. */
function parseWebVtt(raw: string): { cues: Cue[]; issues: Issue[] } {
  const text = normalizeSourceText(raw, 'lf');
  const issues: Issue[] = [];
  if (!/^WEBVTT(?:[ \t\n]|$)/.test(text))
    issues.push({
      path: 'line 1',
      code: 'no_header',
      message: 'The file does not start with "WEBVTT"; read it as WebVTT anyway.',
    });
  return { cues: parseBlocks(text, issues, 'webvtt'), issues };
}

/** Parse SubRip (.srt) into cues (markup stripped). */
function parseSrt(raw: string): { cues: Cue[]; issues: Issue[] } {
  const issues: Issue[] = [];
  return { cues: parseBlocks(normalizeSourceText(raw, 'lf'), issues, 'srt'), issues };
}

function parseBlocks(text: string, issues: Issue[], kind: 'webvtt' | 'srt'): Cue[] {
  const cues: Cue[] = [];
  const lines = text.split('\n');
  let i = 0;
  if (kind === 'webvtt' && /^WEBVTT(?:[ \t]|$)/.test(lines[0] ?? '')) {
    while (i < lines.length && at(lines, i).trim() !== '') i++; // header block
  }
  while (i < lines.length) {
    while (i < lines.length && at(lines, i).trim() === '') i++;
    if (i >= lines.length) break;
    const blockStart = i;
    const block: string[] = [];
    while (i < lines.length && at(lines, i).trim() !== '') block.push(at(lines, i++));
    if (kind === 'webvtt' && /^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(at(block, 0))) continue;
    const t = block.findIndex((l) => l.includes('-->'));
    if (t < 0 || t > 1) {
      issues.push({
        path: `line ${blockStart + 1}`,
        code: 'not_a_cue',
        message: `Lines ${blockStart + 1}–${i} have no "-->" timing line; skipped.`,
      });
      continue;
    }
    const [a, b] = at(block, t).split('-->');
    const start = cueTime(present(a, 'the start of a cue timing'));
    const end = cueTime((b ?? '').trim().split(/\s+/)[0] ?? '');
    if (start === null || end === null) {
      issues.push({
        path: `line ${blockStart + t + 1}`,
        code: 'bad_timing',
        message: `Cue timing "${block[t]}" is not "hh:mm:ss.mmm --> hh:mm:ss.mmm"; skipped.`,
      });
      continue;
    }
    for (const u of utterances(block.slice(t + 1).join('\n')))
      cues.push({ start, end, speaker: u.speaker, text: u.text });
  }
  return cues;
}

/**
 * Build a transcript from cues: one line per turn, "[hh:mm:ss] Label: words". Consecutive cues of the same
 * speaker merge into one turn; a cue without a speaker continues the turn before it unless its text starts with
 * a label ("P4: …"). Name voices (`<v Ayesha>`) are speakers because the file says so.
 */
function transcriptFromCues(
  cues: readonly Cue[],
  meta: SourceMeta,
  options: CueImportOptions = {},
): Transcript {
  const dir = new SpeakerDirectory(options.participants);
  const withTs = options.timestamps ?? true;
  type Utt = { label: string; c: SpeakerLabel; start: number; end: number; words: string[] };
  const turnsIn: Utt[] = [];
  const issues: Issue[] = [];
  let cur: Utt | null = null;
  for (const cue of cues) {
    let label: string | null = cue.speaker;
    let words = cue.text;
    if (label === null) {
      const m = RE_SPEAKER_LINE.exec(words);
      const c = m ? classifyLabel(at(m, 2)) : null;
      if (m && c && (c.kind !== 'name' || dir.lookup(c) !== null || options.names !== false)) {
        label = c.label;
        words = words.slice(m[0].length);
      }
    }
    const c =
      label === null
        ? null
        : (classifyLabel(label) ?? { label, key: collapse(label), role: 'unknown', kind: 'name' });
    if (c === null) {
      if (cur) {
        cur.words.push(words);
        cur.end = cue.end;
      } else {
        cur = {
          label: 'Unknown',
          c: { label: 'Unknown', key: 'Unknown', role: 'unknown', kind: 'generic' },
          start: cue.start,
          end: cue.end,
          words: [words],
        };
        turnsIn.push(cur);
      }
      continue;
    }
    if (cur && cur.c.key === c.key) {
      cur.words.push(words);
      cur.end = cue.end;
    } else {
      cur = { label: c.label, c, start: cue.start, end: cue.end, words: [words] };
      turnsIn.push(cur);
    }
  }
  const parts: string[] = [];
  const spans: { head: number; content: number; end: number }[] = [];
  let len = 0; // code points
  const cpLen = (s: string) => Array.from(s).length;
  turnsIn.forEach((u, k) => {
    if (k > 0) {
      parts.push('\n\n');
      len += 2;
    }
    const head = `${withTs ? `[${formatTimestamp(u.start)}] ` : ''}${u.label}: `;
    const body = u.words.join(' ').normalize('NFC');
    const s = len;
    parts.push(head, body);
    len += cpLen(head);
    const content = len;
    len += cpLen(body);
    spans.push({ head: s, content, end: len });
  });
  // Every part is NFC already (labels are collapsed, bodies normalised), and each head ends in a space, so the
  // joined text is NFC too and the code-point offsets above hold.
  const text = parts.join('');
  const unlinked = new Map<string, number>();
  const turns: Turn[] = turnsIn.map((u, k) => {
    const pid = dir.lookup(u.c);
    const role: SpeakerRole = pid !== null ? 'participant' : u.c.role;
    if (pid === null && role !== 'moderator' && role !== 'interviewer' && role !== 'observer')
      unlinked.set(u.c.key, (unlinked.get(u.c.key) ?? 0) + 1);
    return {
      index: k,
      start: at(spans, k).head,
      end: at(spans, k).end,
      contentStart: at(spans, k).content,
      label: u.label,
      speakerKey: u.c.key,
      role,
      participantId: pid,
      time: u.start,
      endTime: u.end,
    };
  });
  for (const [key, n] of unlinked)
    issues.push({
      path: `speaker.${key}`,
      code: 'unlinked_speaker',
      message: `Speaker "${key}" (${n} turn${n === 1 ? '' : 's'}) is not linked to a participant; add "${key}" as an alias of the participant it refers to.`,
    });
  if (turns.length === 0)
    issues.push({ path: 'cues', code: 'no_turns', message: 'The file has no cues with text.' });
  return { source: sourceOf(meta, text), turns, issues };
}

/** Import a WebVTT transcript (voices `<v Participant 4>` or "P4:" prefixes). */
export function importWebVtt(raw: string, meta: SourceMeta, options: CueImportOptions = {}): Transcript {
  const { cues, issues } = parseWebVtt(raw);
  const t = transcriptFromCues(cues, meta, options);
  return { ...t, issues: [...issues, ...t.issues] };
}

/** Import a SubRip (.srt) transcript ("P4:" prefixes or `<v …>` voices). */
export function importSrt(raw: string, meta: SourceMeta, options: CueImportOptions = {}): Transcript {
  const { cues, issues } = parseSrt(raw);
  const t = transcriptFromCues(cues, meta, options);
  return { ...t, issues: [...issues, ...t.issues] };
}
