/**
 * Member checking, pure: a participant's packet (their own turns only, and the canonical text its version hash
 * is taken of), and a correction as a tracked edit of the transcript that moves the speaker turns and every
 * coder's segments after it (a segment wholly inside the replaced words ends up around the new words; one that
 * becomes empty is removed). The server hashes the version text (SHA-256) and stores the changes.
 */
import type { Validated } from '../issue.js';
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

/** Where a participant's packet stands: not sent, sent, returned, corrected, approved. */
export type MemberCheckStatus = 'not_sent' | 'sent' | 'returned' | 'corrected' | 'approved';

/** The statuses a researcher records (`not_sent` is only where a packet starts). */
export const RECORDED_STATUSES = ['sent', 'returned', 'corrected', 'approved'] as const;
type RecordedStatus = (typeof RECORDED_STATUSES)[number];

/** A participant's member check as stored: status, packet language, the version sent, and its history. */
interface MemberCheckRecord {
  readonly participantId: string;
  readonly language: 'en' | 'ur';
  readonly status: MemberCheckStatus;
  /** SHA-256 of the packet content when it was last sent. */
  readonly versionHash: string | null;
  readonly history: readonly {
    readonly status: MemberCheckStatus;
    readonly at: string;
    readonly by: string;
    readonly versionHash: string | null;
    readonly note?: string | undefined;
  }[];
}

/** From which statuses a packet may move to each status (sending again is allowed at any point). */
const MEMBER_CHECK_ORDER: Readonly<Record<MemberCheckStatus, readonly MemberCheckStatus[]>> = {
  not_sent: [],
  sent: ['not_sent', 'sent', 'returned', 'corrected', 'approved'],
  returned: ['sent'],
  corrected: ['returned', 'corrected'],
  approved: ['returned', 'corrected'],
};

export interface MemberCheckStep {
  readonly to: RecordedStatus;
  readonly language: 'en' | 'ur';
  readonly note: string;
  /** The participant's pseudonym, for messages. */
  readonly pseudonym: string;
  /** The packet's version hash now (recorded when it is sent). */
  readonly packetHash: string;
  /** Whether corrections of this participant are recorded (needed before "corrected"). */
  readonly hasCorrections: boolean;
  readonly by: string;
  readonly at: string;
}

const label = (s: MemberCheckStatus) => `"${s.replace('_', ' ')}"`;

/**
 * A participant's member check after recording a status: the status order is kept (issue `status_order`:
 * e.g. "returned" only after "sent"), "corrected" needs recorded corrections (`corrections_first`), sending
 * records the packet's version hash, and every step is appended to the history.
 */
export function nextMemberCheck(
  participantId: string,
  current: MemberCheckRecord | undefined,
  step: MemberCheckStep,
): Validated<MemberCheckRecord> {
  const cur: MemberCheckRecord = current ?? {
    participantId,
    language: step.language,
    status: 'not_sent',
    versionHash: null,
    history: [],
  };
  const { to } = step;
  if (!MEMBER_CHECK_ORDER[to].includes(cur.status))
    return refusedWith(
      'status_order',
      `${step.pseudonym}'s packet is ${label(cur.status)}; it can become "${to}" only from ${MEMBER_CHECK_ORDER[to].map(label).join(' or ')}.`,
    );
  if (to === 'corrected' && !step.hasCorrections)
    return refusedWith(
      'corrections_first',
      `Record ${step.pseudonym}'s corrections first (below), then mark the packet corrected.`,
    );
  const versionHash = to === 'sent' ? step.packetHash : cur.versionHash;
  const entry = {
    status: to,
    at: step.at,
    by: step.by,
    versionHash,
    ...(step.note ? { note: step.note } : {}),
  };
  return {
    ok: true,
    value: { ...cur, language: step.language, status: to, versionHash, history: [...cur.history, entry] },
  };
}

function refusedWith(code: string, message: string): Validated<never> {
  return { ok: false, issues: [{ path: 'status', code, message }] };
}
