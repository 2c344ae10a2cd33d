/**
 * Consensus coding: "discrepancies were resolved through discussion", recorded.
 *
 * The disagreements of a comparison are the passages where the compared coders differ for a code: maximal runs
 * of characters some but not all of them coded with it (one coded, another did not; where two coders used
 * different codes on the same words, each code shows a run). The team resolves each one into a separate
 * **consensus layer**: segments of the coder {@link CONSENSUS_CODER} ("Consensus"), one code per segment,
 * which the results table's quote picker and the QDPX export ("consensus only") use. A resolution sets the
 * consensus for one code over `[start, end)` of one source:
 *
 * - `accept`: as one coder coded it there;
 * - `merge`: coded wherever any compared coder coded it (the union);
 * - `coded` / `not_coded`: as the team decided, over the whole range (a consensus coding of its own).
 *
 * A source's consensus is *started* (the caller keeps the list) when its first resolution is recorded: it is
 * seeded with the passages every compared coder coded alike (`agreedCoding`), and from then on a passage the
 * consensus layer does not cover counts as "not coded" by consensus, so every disagreement of a started source
 * has a decision. `resolveConsensus` returns which consensus segments to
 * delete and which ranges to add, so the caller writes them (and their audit events) in one plan.
 */
import type { Issue, Validated } from '../instrument/schema.js';
import { at } from '../stats/at.js';
import type { QualProject, Segment } from './model.js';
import { codePointLength } from './offsets.js';

/** The coder of the consensus layer. Not a person: it has no user and is never a compared coder by default. */
export const CONSENSUS_CODER = { id: 'consensus', name: 'Consensus' } as const;

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Sorted, merged union of ranges (empty ranges dropped). */
export function unionRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end)
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** `ranges` with `[cut.start, cut.end)` removed. */
function subtractRange(ranges: readonly Range[], cut: Range): Range[] {
  const out: Range[] = [];
  for (const r of ranges) {
    if (r.end <= cut.start || r.start >= cut.end) out.push(r);
    else {
      if (r.start < cut.start) out.push({ start: r.start, end: cut.start });
      if (r.end > cut.end) out.push({ start: cut.end, end: r.end });
    }
  }
  return out;
}

/** `ranges` clipped to `[clip.start, clip.end)`. */
function clipRanges(ranges: readonly Range[], clip: Range): Range[] {
  return ranges
    .map((r) => ({ start: Math.max(r.start, clip.start), end: Math.min(r.end, clip.end) }))
    .filter((r) => r.end > r.start);
}

/** Where one coder applied one code in one source (merged ranges). */
function codedRanges(
  segments: readonly Segment[],
  sourceId: string,
  codeId: string,
  coderId: string,
): Range[] {
  return unionRanges(
    segments.filter((s) => s.sourceId === sourceId && s.coderId === coderId && s.codeIds.includes(codeId)),
  );
}

function coveredLength(ranges: readonly Range[], r: Range): number {
  return clipRanges(ranges, r).reduce((s, x) => s + x.end - x.start, 0);
}

export interface CodingDisagreement {
  readonly sourceId: string;
  readonly codeId: string;
  readonly start: number;
  readonly end: number;
  /** Compared coders who coded the passage with the code, and those who did not. */
  readonly codedBy: readonly string[];
  readonly notCodedBy: readonly string[];
  /** The consensus over the passage; null while the source's consensus has not been started. */
  readonly consensus: 'coded' | 'not_coded' | 'partly' | null;
}

export interface DisagreementOptions {
  /** Coders to compare (two or more; never the consensus coder). */
  readonly coders: readonly string[];
  readonly codeIds: readonly string[];
  /** Sources to look at; default every source. */
  readonly sourceIds?: readonly string[] | undefined;
  /** Sources whose consensus has been started. */
  readonly started: ReadonlySet<string>;
}

/** Every passage where the compared coders differ, per source (project order) and code (given order). */
export function disagreements(project: QualProject, opts: DisagreementOptions): CodingDisagreement[] {
  const out: CodingDisagreement[] = [];
  const sources = project.sources.filter((s) => !opts.sourceIds || opts.sourceIds.includes(s.id));
  for (const src of sources)
    for (const codeId of opts.codeIds) {
      const byCoder = opts.coders.map((c) => codedRanges(project.segments, src.id, codeId, c));
      const cuts = [...new Set(byCoder.flat().flatMap((r) => [r.start, r.end]))].sort((a, b) => a - b);
      const consensus = opts.started.has(src.id)
        ? codedRanges(project.segments, src.id, codeId, CONSENSUS_CODER.id)
        : null;
      let run: { start: number; end: number; codedBy: string[] } | null = null;
      const flush = () => {
        if (!run) return;
        const { codedBy } = run;
        const covered = consensus ? coveredLength(consensus, run) : 0;
        out.push({
          sourceId: src.id,
          codeId,
          start: run.start,
          end: run.end,
          codedBy,
          notCodedBy: opts.coders.filter((c) => !codedBy.includes(c)),
          consensus:
            consensus === null
              ? null
              : covered === 0
                ? 'not_coded'
                : covered === run.end - run.start
                  ? 'coded'
                  : 'partly',
        });
        run = null;
      };
      for (let k = 0; k + 1 < cuts.length; k++) {
        const piece = { start: at(cuts, k), end: at(cuts, k + 1) };
        const codedBy = opts.coders.filter((_, i) => coveredLength(at(byCoder, i), piece) > 0);
        const differs = codedBy.length > 0 && codedBy.length < opts.coders.length;
        if (
          run &&
          (!differs || run.end !== piece.start || run.codedBy.join('\u0000') !== codedBy.join('\u0000'))
        )
          flush();
        if (!differs) continue;
        if (run) run.end = piece.end;
        else run = { ...piece, codedBy };
      }
      flush();
    }
  return out;
}

export type ConsensusDecision =
  | { readonly kind: 'accept'; readonly coderId: string }
  | { readonly kind: 'merge'; readonly coders: readonly string[] }
  | { readonly kind: 'coded' }
  | { readonly kind: 'not_coded' };

interface ConsensusChange {
  /** Consensus segments (of this source and code) to delete. */
  readonly remove: readonly Segment[];
  /** Ranges to add as new consensus segments with the code. */
  readonly add: readonly Range[];
  /** The consensus ranges of the code in the source after the change. */
  readonly after: readonly Range[];
}

/**
 * The consensus of `codeId` over `[start, end)` of `sourceId` set by `decision` (see the module comment).
 * Consensus segments outside the range are kept; those crossing it are cut. Refusals name the thing and value.
 */
export function resolveConsensus(
  project: QualProject,
  r: { sourceId: string; codeId: string; start: number; end: number; decision: ConsensusDecision },
): Validated<ConsensusChange> {
  const issues: Issue[] = [];
  const fail = (path: string, message: string) => {
    issues.push({ path, code: 'consensus', message });
    return { ok: false as const, issues };
  };
  const src = project.sources.find((s) => s.id === r.sourceId);
  if (!src) return fail('source', `Transcript "${r.sourceId}" does not exist.`);
  const code = project.codes.find((c) => c.id === r.codeId);
  if (!code) return fail('code', `Code "${r.codeId}" does not exist.`);
  if (!code.codable) return fail('code', `"${code.name}" is a grouping node, not a code applied to text.`);
  const n = codePointLength(src.text);
  if (!Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 0 || r.end > n || r.start >= r.end)
    return fail(
      'range',
      `The passage ${r.start}–${r.end} is not inside "${src.name}" (0–${n}); choose a passage of the transcript.`,
    );
  const d = r.decision;
  const coderExists = (id: string) => id !== CONSENSUS_CODER.id && project.coders.some((c) => c.id === id);
  if (d.kind === 'accept' && !coderExists(d.coderId))
    return fail('coder', `Coder "${d.coderId}" is not a coder of this project.`);
  if (d.kind === 'merge') {
    if (d.coders.length < 2) return fail('coders', 'Merging needs at least two coders.');
    const bad = d.coders.find((c) => !coderExists(c));
    if (bad !== undefined) return fail('coders', `Coder "${bad}" is not a coder of this project.`);
  }
  const range = { start: r.start, end: r.end };
  const target: Range[] =
    d.kind === 'accept'
      ? clipRanges(codedRanges(project.segments, r.sourceId, r.codeId, d.coderId), range)
      : d.kind === 'merge'
        ? clipRanges(
            unionRanges(d.coders.flatMap((c) => codedRanges(project.segments, r.sourceId, r.codeId, c))),
            range,
          )
        : d.kind === 'coded'
          ? [range]
          : [];
  const current = project.segments.filter(
    (s) => s.sourceId === r.sourceId && s.coderId === CONSENSUS_CODER.id && s.codeIds.includes(r.codeId),
  );
  const after = unionRanges([...subtractRange(unionRanges(current), range), ...target]);
  const same = (s: Range, x: Range) => s.start === x.start && s.end === x.end;
  // Keep the consensus segments that are exactly one of the ranges after the change (single-code ones).
  const kept = current.filter((s) => s.codeIds.length === 1 && after.some((x) => same(s, x)));
  return {
    ok: true,
    value: {
      remove: current.filter((s) => !kept.includes(s)),
      add: after.filter((x) => !kept.some((s) => same(s, x))),
      after,
    },
  };
}

/** Intersection of sorted, merged range lists. */
function intersectRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const x of a)
    for (const y of b) {
      const start = Math.max(x.start, y.start);
      const end = Math.min(x.end, y.end);
      if (end > start) out.push({ start, end });
    }
  return unionRanges(out);
}

/**
 * What a source's consensus starts from: for each code, the passages every compared coder coded with it (they
 * agree, so there is nothing to discuss). Disagreements are then decided one by one.
 */
export function agreedCoding(
  project: QualProject,
  sourceId: string,
  coders: readonly string[],
): { codeId: string; ranges: Range[] }[] {
  const codeIds = [
    ...new Set(
      project.segments
        .filter((s) => s.sourceId === sourceId && coders.includes(s.coderId))
        .flatMap((s) => s.codeIds),
    ),
  ];
  return codeIds
    .map((codeId) => ({
      codeId,
      ranges: coders
        .map((c) => codedRanges(project.segments, sourceId, codeId, c))
        .reduce((acc, r) => intersectRanges(acc, r)),
    }))
    .filter((x) => x.ranges.length > 0);
}

/** Counts for the report: disagreements, how many have a decision, and the consensus segments. */
export function consensusSummary(list: readonly CodingDisagreement[]): {
  readonly total: number;
  readonly decided: number;
  readonly open: number;
} {
  const decided = list.filter((d) => d.consensus === 'coded' || d.consensus === 'not_coded').length;
  return { total: list.length, decided, open: list.length - decided };
}

/**
 * The project as its consensus layer only: the consensus segments, the consensus coder, and memos and chosen
 * quotes that refer to consensus segments (for a QDPX export "consensus only").
 */
export function consensusLayer(project: QualProject): QualProject {
  const segments = project.segments.filter((s) => s.coderId === CONSENSUS_CODER.id);
  const ids = new Set(segments.map((s) => s.id));
  return {
    ...project,
    segments,
    coders: project.coders.filter((c) => c.id === CONSENSUS_CODER.id),
    memos: project.memos.filter((m) => m.target.kind !== 'segment' || ids.has(m.target.id)),
    themes: project.themes.map((t) => ({
      ...t,
      quoteSegmentIds: t.quoteSegmentIds.filter((x) => ids.has(x)),
    })),
  };
}

/** One speaker turn where the compared coders applied different codes (the disagreement view per turn). */
export interface TurnDisagreement {
  readonly sourceId: string;
  readonly turnIndex: number;
  /** The turn `[start, end)` (the whole transcript when it has no speaker turns). */
  readonly start: number;
  readonly end: number;
  /** Where the words start (after the timestamp and label): a decision for the whole turn starts here. */
  readonly contentStart: number;
  readonly speakerKey: string;
  readonly role: string;
  /** Per compared coder (in the order compared), the codes of `codeIds` they applied in the turn. */
  readonly byCoder: readonly { readonly coderId: string; readonly codeIds: readonly string[] }[];
  /** Codes some but not all compared coders applied in the turn. */
  readonly differing: readonly string[];
  /** The consensus codes in the turn; null while the source's consensus has not been started. */
  readonly consensus: readonly string[] | null;
}

/**
 * Every speaker turn where the compared coders differ: one applied a code (of `codeIds`) another did not, or
 * they used different codes. A segment applies its codes to each turn it overlaps by at least one character
 * (the turn unit of the agreement). Turns with the same codes from every coder (coded alike, or by nobody) are
 * left out; a transcript without speaker turns is one turn.
 */
export function turnDisagreements(project: QualProject, opts: DisagreementOptions): TurnDisagreement[] {
  const out: TurnDisagreement[] = [];
  const wanted = new Set(opts.codeIds);
  const sources = project.sources.filter((s) => !opts.sourceIds || opts.sourceIds.includes(s.id));
  for (const src of sources) {
    const segs = project.segments.filter((s) => s.sourceId === src.id);
    const listed = project.turns[src.id] ?? [];
    const turns = listed.length
      ? listed.map((t) => ({ ...t, end: Math.max(t.end, t.start + 1) }))
      : [
          {
            index: 0,
            start: 0,
            end: codePointLength(src.text),
            contentStart: 0,
            speakerKey: '',
            role: 'unknown',
          },
        ];
    for (const t of turns) {
      const codesOf = (coderId: string) =>
        [
          ...new Set(
            segs
              .filter((s) => s.coderId === coderId && s.start < t.end && s.end > t.start)
              .flatMap((s) => s.codeIds)
              .filter((c) => wanted.has(c)),
          ),
        ].sort((a, b) => opts.codeIds.indexOf(a) - opts.codeIds.indexOf(b));
      const byCoder = opts.coders.map((coderId) => ({ coderId, codeIds: codesOf(coderId) }));
      const differing = opts.codeIds.filter((c) => {
        const n = byCoder.filter((x) => x.codeIds.includes(c)).length;
        return n > 0 && n < byCoder.length;
      });
      if (!differing.length) continue;
      out.push({
        sourceId: src.id,
        turnIndex: t.index,
        start: t.start,
        end: t.end,
        contentStart: Math.min(Math.max(t.contentStart, t.start), t.end - 1),
        speakerKey: t.speakerKey,
        role: t.role,
        byCoder,
        differing,
        consensus: opts.started.has(src.id) ? codesOf(CONSENSUS_CODER.id) : null,
      });
    }
  }
  return out;
}
