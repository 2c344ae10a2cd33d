/**
 * Member checking, pure: a participant's packet (their own turns only, and the canonical text its version hash
 * is taken of), and a correction as a tracked edit of the transcript that moves the speaker turns and every
 * coder's segments after it (a segment wholly inside the replaced words ends up around the new words; one that
 * becomes empty is removed). The server hashes the version text (SHA-256) and stores the changes.
 */
import { canonicalJson } from './audit.js';
import type { Participant, QualProject, Turn } from './model.js';
import { codePointLength, OffsetIndex } from './offsets.js';

export interface PacketItem {
  readonly sourceId: string;
  readonly sourceName: string;
  readonly turnIndex: number;
  readonly time?: number;
  /** Code points of what was said (after the speaker label). */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface PacketContent {
  readonly participant: Participant;
  readonly items: readonly PacketItem[];
  /**
   * What the participant was sent, as canonical JSON: their pseudonym and their own words per transcript. No
   * offsets, so an edit to another participant's turn (which moves every later turn) leaves it unchanged.
   */
  readonly versionText: string;
}

/** The member-checking packet of one participant (null when there is no such participant). */
export function packetContent(project: QualProject, participantId: string): PacketContent | null {
  const participant = project.participants.find((p) => p.id === participantId);
  if (!participant) return null;
  const items: PacketItem[] = [];
  for (const s of project.sources) {
    const idx = new OffsetIndex(s.text);
    for (const t of project.turns[s.id] ?? []) {
      if (t.participantId !== participantId) continue;
      const end = Math.max(t.contentStart, t.end);
      items.push({
        sourceId: s.id,
        sourceName: s.name,
        turnIndex: t.index,
        ...(t.time !== undefined ? { time: t.time } : {}),
        start: t.contentStart,
        end,
        text: idx.slice(t.contentStart, end),
      });
    }
  }
  const versionText = canonicalJson({
    participant: participant.pseudonym,
    items: items.map((i) => ({ source: i.sourceId, text: i.text })),
  });
  return { participant, items, versionText };
}

/** A code-point position after replacing `[s, e)` by `len` code points: `bias` says where positions inside go. */
export function shiftPosition(pos: number, s: number, e: number, len: number, bias: 'start' | 'end'): number {
  if (pos <= s) return pos;
  if (pos >= e) return pos + len - (e - s);
  return bias === 'start' ? s : s + len;
}

/** A correction located in a transcript: replace code points `[start, end)` by `length` code points. */
export interface TranscriptEdit {
  readonly start: number;
  readonly end: number;
  readonly length: number;
  /** The transcript text after the edit. */
  readonly text: string;
}

/**
 * Where `find` stands in a turn's words, and the text with it replaced; a message when it is absent or not
 * unique in that turn (the participant must give words that say which ones they mean).
 */
export function locateCorrection(
  text: string,
  turn: Turn,
  find: string,
  replace: string,
): { ok: true; edit: TranscriptEdit } | { ok: false; message: string } {
  const idx = new OffsetIndex(text);
  const content = idx.slice(turn.contentStart, Math.max(turn.contentStart, turn.end));
  const first = content.indexOf(find);
  if (first < 0)
    return {
      ok: false,
      message: `"${find}" does not occur in that turn; copy the words exactly as the packet shows them.`,
    };
  if (content.indexOf(find, first + 1) >= 0)
    return {
      ok: false,
      message: `"${find}" occurs more than once in that turn; include a few more words so it is unique.`,
    };
  const start = turn.contentStart + codePointLength(content.slice(0, first));
  const end = start + codePointLength(find);
  const length = codePointLength(replace);
  return {
    ok: true,
    edit: { start, end, length, text: idx.slice(0, start) + replace + idx.slice(end, idx.length) },
  };
}

/** The speaker turns after an edit. */
export function shiftTurns(turns: readonly Turn[], e: TranscriptEdit): Turn[] {
  return turns.map((t) => ({
    ...t,
    start: shiftPosition(t.start, e.start, e.end, e.length, 'start'),
    contentStart: shiftPosition(t.contentStart, e.start, e.end, e.length, 'start'),
    end: shiftPosition(t.end, e.start, e.end, e.length, 'end'),
  }));
}

/** A segment's range after an edit: unchanged, moved, or removed (it became empty). */
export function shiftRange(
  range: { readonly start: number; readonly end: number },
  e: TranscriptEdit,
): 'unchanged' | 'removed' | { start: number; end: number } {
  if (range.end <= e.start) return 'unchanged';
  const start = shiftPosition(range.start, e.start, e.end, e.length, 'start');
  const end = shiftPosition(range.end, e.start, e.end, e.length, 'end');
  if (start === range.start && end === range.end) return 'unchanged';
  return end > start ? { start, end } : 'removed';
}
