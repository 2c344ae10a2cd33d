/**
 * The audit trail of a qualitative project: every change (coding, codebook, theme, transcript edit, sign-off)
 * appends an event `{ seq, actor, at, action, entity, before, after, prevHash, hash }`.
 *
 * Events form a hash chain: `hash = H(canonicalJson({ seq, actor, at, action, entity, before, after, prevHash }))`
 * with `prevHash` the hash of the event before (64 zeros for the first, as the store's audit log). Core is pure
 * and has no SHA-256, so the hash function is passed in (`(s) => string`; Node passes SHA-256 hex from
 * node:crypto, the browser can pass a synchronous implementation). Changing, inserting, removing or reordering
 * an event breaks a link that {@link verifyAuditChain} names; truncating the end is only detectable against a
 * head hash kept elsewhere, which `verifyAuditChain` returns.
 *
 * Canonical JSON: object keys sorted by UTF-16 code unit order, no whitespace, `undefined` object members
 * dropped; NaN, ±Infinity, `undefined` array items, functions, symbols and bigints throw (they have no JSON form).
 */
import { canonicalJson } from '../json.js';
import { at } from '../stats/at.js';

/** A hash function over a string, e.g. SHA-256 hex. Must be deterministic. */
type HashFn = (s: string) => string;

/** Hash before the first event. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** What an event is about, e.g. `{ kind: 'segment', id: 's12' }`. */
interface AuditEntity {
  readonly kind: string;
  readonly id: string;
}

export interface AuditEvent {
  /** 1, 2, 3 … in order. */
  readonly seq: number;
  /** Coder or user id. */
  readonly actor: string;
  /** ISO 8601 date-time. */
  readonly at: string;
  /** e.g. `segment.create`, `code.rename`, `theme.signoff`, `transcript.edit`. */
  readonly action: string;
  readonly entity: AuditEntity;
  /** The entity before the change (null when created). Any JSON value. */
  readonly before: unknown;
  /** The entity after the change (null when deleted). Any JSON value. */
  readonly after: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

type NewAuditEvent = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>;

/** The coder of the segment an event is about (from its before or after document); null when it names none. */
export function segmentCoderOf(e: AuditEvent): string | null {
  const d = (e.before ?? e.after) as { coderId?: unknown } | null;
  return typeof d?.coderId === 'string' ? d.coderId : null;
}

/**
 * Whether blind coding hides this event from `coderId`: it is about another coder's segment (the trail would
 * reveal their coding before comparison is opened). `coderId` null (a reader who codes nothing) sees no
 * coder's segment events.
 */
export function hiddenWhileBlind(e: AuditEvent, coderId: string | null): boolean {
  return e.entity.kind === 'segment' && segmentCoderOf(e) !== coderId;
}

/** Canonical JSON (one owner: core/json.ts), re-exported for the qualitative audit's callers. */
export { canonicalJson };

/** The string an event's hash is computed from. */
export function auditHashInput(e: Omit<AuditEvent, 'hash'>): string {
  return canonicalJson({
    seq: e.seq,
    actor: e.actor,
    at: e.at,
    action: e.action,
    entity: { kind: e.entity.kind, id: e.entity.id },
    before: e.before ?? null,
    after: e.after ?? null,
    prevHash: e.prevHash,
  });
}

/** Append an event to a log (returns a new array; the log is never changed in place). */
export function appendAuditEvent(
  log: readonly AuditEvent[],
  input: NewAuditEvent,
  hash: HashFn,
): AuditEvent[] {
  const last = log[log.length - 1];
  const body = {
    seq: (last?.seq ?? 0) + 1,
    actor: input.actor,
    at: input.at,
    action: input.action,
    entity: { kind: input.entity.kind, id: input.entity.id },
    before: input.before ?? null,
    after: input.after ?? null,
    prevHash: last?.hash ?? AUDIT_GENESIS,
  };
  return [...log, { ...body, hash: hash(auditHashInput(body)) }];
}

export type AuditVerification =
  | { readonly ok: true; readonly count: number; readonly head: string }
  | {
      readonly ok: false;
      /** Position (0-based) in the log of the first event whose link does not hold. */
      readonly index: number;
      /** Its `seq` as stored. */
      readonly seq: number;
      readonly reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap';
      /** Events checked and found intact before it. */
      readonly intact: number;
      readonly message: string;
    };

/** Check every link of the chain; returns the head hash, or the first broken link and why. */
export function verifyAuditChain(log: readonly AuditEvent[], hash: HashFn): AuditVerification {
  let prev = AUDIT_GENESIS;
  for (let i = 0; i < log.length; i++) {
    const e = at(log, i);
    if (e.seq !== i + 1)
      return {
        ok: false,
        index: i,
        seq: e.seq,
        reason: 'seq_gap',
        intact: i,
        message: `Audit event at position ${i + 1} has sequence number ${e.seq}, expected ${i + 1}: an event was removed, inserted or reordered.`,
      };
    if (e.prevHash !== prev)
      return {
        ok: false,
        index: i,
        seq: e.seq,
        reason: 'prev_hash_mismatch',
        intact: i,
        message: `Audit event ${e.seq} does not follow the event before it: an event was removed or altered.`,
      };
    let h: string;
    try {
      h = hash(auditHashInput(e));
    } catch {
      h = '';
    }
    if (h !== e.hash)
      return {
        ok: false,
        index: i,
        seq: e.seq,
        reason: 'hash_mismatch',
        intact: i,
        message: `Audit event ${e.seq} (${e.action} by ${e.actor} at ${e.at}) was altered after it was recorded.`,
      };
    prev = e.hash;
  }
  return { ok: true, count: log.length, head: prev };
}

// ---------------------------------------------------------------------------------------------------------
// Exports

const CSV_COLUMNS = [
  'seq',
  'at',
  'actor',
  'action',
  'entity_kind',
  'entity_id',
  'before',
  'after',
  'prev_hash',
  'hash',
];

function csvCell(s: string, guard: boolean): string {
  // A text cell starting with = + - @ (or tab/CR) is prefixed with ' so spreadsheets do not run it as a formula.
  const t = guard && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * The log as CSV (RFC 4180, CRLF line ends, header row). `before`/`after` are canonical JSON, so the hash of
 * every row can be recomputed from the file. Text cells that start like a formula are prefixed with "'".
 */
export function auditToCsv(log: readonly AuditEvent[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const e of log)
    rows.push(
      [
        String(e.seq),
        csvCell(e.at, true),
        csvCell(e.actor, true),
        csvCell(e.action, true),
        csvCell(e.entity.kind, true),
        csvCell(e.entity.id, true),
        csvCell(canonicalJson(e.before ?? null), false),
        csvCell(canonicalJson(e.after ?? null), false),
        e.prevHash,
        e.hash,
      ].join(','),
    );
  return `${rows.join('\r\n')}\r\n`;
}

/** The log as JSON (an array of events, keys in a fixed order, 2-space indent). */
export function auditToJson(log: readonly AuditEvent[]): string {
  return `${JSON.stringify(
    log.map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      action: e.action,
      entity: { kind: e.entity.kind, id: e.entity.id },
      before: e.before ?? null,
      after: e.after ?? null,
      prevHash: e.prevHash,
      hash: e.hash,
    })),
    null,
    2,
  )}\n`;
}

/** Top-level fields that differ between two JSON values (for the readable appendix). */
export function changedFields(before: unknown, after: unknown): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(before) || !isObj(after))
    return canonicalJson(before ?? null) === canonicalJson(after ?? null) ? [] : ['(value)'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => canonicalJson(before[k] ?? null) !== canonicalJson(after[k] ?? null));
}

function mdCell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

function summarize(e: AuditEvent): string {
  if (e.before == null && e.after != null) return 'created';
  if (e.before != null && e.after == null) return 'deleted';
  const f = changedFields(e.before, e.after);
  return f.length ? `changed ${f.join(', ')}` : 'no change';
}

/**
 * A readable appendix: one table row per event (when, who, what, which entity, what changed), the chain status
 * and the head hash to quote in the report. `actorName` maps actor ids to display names (default: the id).
 */
export function auditToMarkdown(
  log: readonly AuditEvent[],
  hash: HashFn,
  options: { title?: string; actorName?: (id: string) => string } = {},
): string {
  const name = options.actorName ?? ((id: string) => id);
  const v = verifyAuditChain(log, hash);
  const lines = [`## ${options.title ?? 'Audit trail'}`, ''];
  lines.push(
    v.ok
      ? `${v.count} events; the hash chain is intact. Head hash: \`${v.head}\`.`
      : `**The hash chain is broken** at event ${v.seq}: ${v.message} (${v.intact} events before it are intact).`,
  );
  lines.push('', '| # | When | Who | Action | Entity | Change |', '|---:|---|---|---|---|---|');
  for (const e of log)
    lines.push(
      `| ${e.seq} | ${mdCell(e.at)} | ${mdCell(name(e.actor))} | ${mdCell(e.action)} | ${mdCell(`${e.entity.kind} ${e.entity.id}`)} | ${mdCell(summarize(e))} |`,
    );
  return `${lines.join('\n')}\n`;
}
