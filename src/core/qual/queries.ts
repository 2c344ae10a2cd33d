/**
 * The qualitative queries, as pure functions of a project (the segments the reader may see) and the k of the
 * study's suppression policy (src/core/privacy/suppression.ts; k = 0 for readers who see exact counts):
 *
 * - the code × participant-attribute matrix: per code and attribute value, the participants for whom one of the
 *   code's segments overlaps one of their turns; attribute values held by fewer than k participants are not
 *   named (their columns are left out, with the complementary one when only one would be);
 * - code co-occurrence: participants in whose turns two codes overlap;
 * - word frequency in participants' turns: how often each word is used and by how many participants; words used
 *   by fewer than k participants are left out.
 *
 * Counts of participants from 1 to k − 1 come back as `{ suppressed: true }`, never as numbers, so a view cannot
 * show one by mistake.
 */
import { cellsToSuppress, isSmall } from '../privacy/suppression.js';
import { at } from '../stats/at.js';
import { type Code, codePath, codesInTreeOrder, type QualProject, type Segment, type Turn } from './model.js';
import { OffsetIndex } from './offsets.js';

/** A count of participants as a reader may see it. */
export type ParticipantCount =
  | { readonly suppressed: false; readonly n: number }
  | { readonly suppressed: true };

function countOf(n: number, k: number): ParticipantCount {
  return isSmall(n, k) ? { suppressed: true } : { suppressed: false, n };
}

/** The participants whose turns overlap a range of the source (a turn of length 0 counts as 1 code point). */
export function participantsOf(seg: { start: number; end: number }, turns: readonly Turn[]): string[] {
  const out = new Set<string>();
  for (const t of turns)
    if (
      t.participantId !== null &&
      Math.max(seg.start, t.start) < Math.min(seg.end, Math.max(t.end, t.start + 1))
    )
      out.add(t.participantId);
  return [...out];
}

/** Codable codes in tree order: the rows and columns of the queries. */
export function queryCodes(project: QualProject): Code[] {
  return codesInTreeOrder(project.codes).filter((c) => c.codable);
}

/** Participants per code, from the visible segments overlapping their turns. */
export function participantsByCode(project: QualProject): Map<string, Set<string>> {
  const byCode = new Map<string, Set<string>>();
  for (const s of project.segments) {
    const ps = participantsOf(s, project.turns[s.sourceId] ?? []);
    for (const c of s.codeIds) {
      const set = byCode.get(c) ?? new Set<string>();
      for (const p of ps) set.add(p);
      byCode.set(c, set);
    }
  }
  return byCode;
}

/** The participant attributes used in a project, sorted. */
export function attributeNames(project: QualProject): string[] {
  return [...new Set(project.participants.flatMap((p) => Object.keys(p.attributes)))].sort();
}

export interface AttributeMatrix {
  readonly attribute: string;
  /** The attribute values shown (with the number of participants holding each), as columns. */
  readonly values: readonly { readonly value: string; readonly participants: number }[];
  /** How many values are not named (held by fewer than k participants, or their complement). */
  readonly hiddenValues: number;
  readonly rows: readonly {
    readonly codeId: string;
    readonly path: string;
    readonly cells: readonly ParticipantCount[];
  }[];
}

/** The code × attribute matrix (a missing value is "(missing)"). */
export function attributeMatrix(project: QualProject, attribute: string, k: number): AttributeMatrix {
  const valueByParticipant = new Map(
    project.participants.map((p) => {
      const v = p.attributes[attribute];
      return [p.id, v === undefined || v === null ? '(missing)' : String(v)] as const;
    }),
  );
  const attributeOf = (pid: string) => valueByParticipant.get(pid) ?? '(missing)';
  const all = [...new Set(project.participants.map((p) => attributeOf(p.id)))].sort();
  const count = (v: string) => project.participants.filter((p) => attributeOf(p.id) === v).length;
  // A viewer is not told the values held by fewer than k participants ("diagnosis = bipolar disorder").
  const hidden = cellsToSuppress(all.map(count), k);
  const values = all.filter((_, i) => !hidden.has(i));
  const byCode = participantsByCode(project);
  return {
    attribute,
    values: values.map((value) => ({ value, participants: count(value) })),
    hiddenValues: hidden.size,
    rows: queryCodes(project).map((c) => ({
      codeId: c.id,
      path: codePath(project.codes, c.id).join(' › '),
      cells: values.map((v) =>
        countOf([...(byCode.get(c.id) ?? [])].filter((p) => attributeOf(p) === v).length, k),
      ),
    })),
  };
}

export interface Cooccurrence {
  readonly codes: readonly { readonly id: string; readonly name: string }[];
  /** `cells[i][j]`: participants in whose turns codes i and j overlap; null on the diagonal. */
  readonly cells: readonly (readonly (ParticipantCount | null)[])[];
}

/**
 * Code co-occurrence. Per source, a sweep over segments sorted by start visits only overlapping pairs (and each
 * segment with itself, for its own several codes).
 */
export function cooccurrence(project: QualProject, k: number): Cooccurrence {
  const key = (x: string, y: string) => (x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`);
  const co = new Map<string, Set<string>>();
  const bySource = new Map<string, Segment[]>();
  for (const s of project.segments) bySource.set(s.sourceId, [...(bySource.get(s.sourceId) ?? []), s]);
  for (const [sid, list] of bySource) {
    list.sort((a, b) => a.start - b.start);
    const turns = project.turns[sid] ?? [];
    for (const [i, a] of list.entries()) {
      for (let j = i; j < list.length; j++) {
        const b = at(list, j);
        if (b.start >= a.end) break;
        const overlap = { start: Math.max(a.start, b.start), end: Math.min(a.end, b.end) };
        if (overlap.start >= overlap.end) continue;
        const ps = participantsOf(overlap, turns);
        if (!ps.length) continue;
        for (const x of a.codeIds)
          for (const y of b.codeIds) {
            if (x === y) continue;
            const set = co.get(key(x, y)) ?? new Set<string>();
            for (const p of ps) set.add(p);
            co.set(key(x, y), set);
          }
      }
    }
  }
  const codes = queryCodes(project);
  return {
    codes: codes.map((c) => ({ id: c.id, name: c.name })),
    cells: codes.map((r) =>
      codes.map((c) => (r.id === c.id ? null : countOf(co.get(key(r.id, c.id))?.size ?? 0, k))),
    ),
  };
}

/** Words of a text: letters (any script) with marks, digits, apostrophes and inner hyphens. */
export function words(text: string): string[] {
  return (
    text
      .normalize('NFC')
      .toLocaleLowerCase('en')
      .match(/[\p{L}\p{M}][\p{L}\p{M}\p{N}'’-]*/gu) ?? []
  ).map((w) => w.replace(/['’-]+$/, ''));
}

/** English and Urdu function words left out of word frequency. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being am i me my we our you your he she it its they them their this that these those ' +
    'do does did have has had not no so just very can could would should will shall may might must there here what which who whom when where why how all any some ' +
    'about into over than then too also only more most much many such own same other out up down off again further once because while until both each few nor ' +
    "i'm it's don't can't that's there's we're they're i've you're " +
    'کے کا کی میں ہے ہیں اور کو سے پر بھی تو یہ وہ جو کہ ہو ہوتا ہوتی ہوتے تھا تھی تھے نہیں ایک اس ان کر کیا گیا رہا رہی رہے لیے ساتھ بہت'
  ).split(/\s+/),
);

export interface WordFrequency {
  /** The most used words (at most `limit`), most used first, then alphabetically. */
  readonly shown: readonly { readonly word: string; readonly times: number; readonly participants: number }[];
  /** How many words are left out because fewer than k participants used them. */
  readonly hidden: number;
}

/** Word frequency in participants' turns (stop words and one-letter words left out). */
export function wordFrequency(project: QualProject, k: number, limit = 40): WordFrequency {
  const freq = new Map<string, { n: number; ps: Set<string> }>();
  for (const s of project.sources) {
    const idx = new OffsetIndex(s.text);
    for (const t of project.turns[s.id] ?? []) {
      if (t.participantId === null) continue;
      for (const w of words(idx.slice(t.contentStart, Math.max(t.contentStart, t.end)))) {
        if (STOP_WORDS.has(w) || Array.from(w).length < 2) continue;
        const f = freq.get(w) ?? { n: 0, ps: new Set<string>() };
        f.n++;
        f.ps.add(t.participantId);
        freq.set(w, f);
      }
    }
  }
  const ranked = [...freq].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
  return {
    shown: ranked
      .filter(([, f]) => !isSmall(f.ps.size, k))
      .slice(0, limit)
      .map(([word, f]) => ({ word, times: f.n, participants: f.ps.size })),
    hidden: ranked.filter(([, f]) => isSmall(f.ps.size, k)).length,
  };
}
