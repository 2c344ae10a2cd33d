/**
 * The consensus codebook: the codes the team agreed on after comparing, built from the coders' codebooks by
 * merging codes (possibly different coders' private inductive codes that mean the same thing) and splitting a
 * code in two.
 *
 * - **Merge** is a mapping, not a rewrite: each merged code keeps its row and its coders' codings as they made
 *   them, and records `mergedInto` (the target). {@link consensusCodebook} reads a project through the mapping
 *   — codes merged away disappear, their codings, theme links, memos and sub-codes count as the target's — and
 *   the consensus page, the consensus layer, the coder comparison, the results table and the QDPX export read
 *   the project that way. {@link unmergeCode} undoes a merge.
 * - **Split** moves some passages of a code to a new code: the team decides passage by passage (a passage is a
 *   maximal run of text any coder, or the consensus, coded with the code; every segment lies inside one), and
 *   the segments of the moved passages — every coder's and the consensus's — carry the new code from then on.
 *   That rewrites codings, so the agreement before consensus is recorded first ({@link agreementBaseline}).
 *
 * Every function here is pure and returns the entities to write; the store writes them and their audit events
 * in one transaction (src/store/qual.ts `mergeCodes`, `unmergeCode`, `splitCode`).
 */
import { z } from 'zod';
import type { Issue, Validated } from '../instrument/schema.js';
import { mapAt } from '../stats/at.js';
import { isNotComputable, type NotComputable } from '../stats/result.js';
import { compareCoders, pooledRow } from './comparison.js';
import { CONSENSUS_CODER, type Range, unionRanges } from './consensus.js';
import {
  type Code,
  CodeSchema,
  descendantCodeIds,
  IsoDateTimeSchema,
  QualIdSchema,
  type QualProject,
  type Segment,
} from './model.js';

function fail<T>(path: string, message: string): Validated<T> {
  const issues: Issue[] = [{ path, code: 'codebook', message }];
  return { ok: false, issues };
}

/** Where each code ends up in the consensus codebook (a code not merged maps to itself). */
export function codeTarget(codes: readonly Code[]): (id: string) => string {
  const byId = new Map(codes.map((c) => [c.id, c]));
  return (id) => {
    let cur = id;
    const seen = new Set<string>();
    for (;;) {
      const next = byId.get(cur)?.mergedInto;
      if (next === undefined || seen.has(next) || !byId.has(next)) return cur;
      seen.add(cur);
      cur = next;
    }
  };
}

const dedupe = (ids: readonly string[]) => [...new Set(ids)];

/**
 * The project read through the consensus codebook: codes merged into another are gone; segments, theme links,
 * code memos and sub-codes name the target instead. The same project when nothing is merged.
 */
export function consensusCodebook(project: QualProject): QualProject {
  if (!project.codes.some((c) => c.mergedInto !== undefined)) return project;
  const to = codeTarget(project.codes);
  const codes = project.codes
    .filter((c) => to(c.id) === c.id)
    .map((c) => {
      const parent = c.parentId === null ? null : to(c.parentId);
      return { ...c, parentId: parent === c.id ? null : parent };
    });
  return {
    ...project,
    codes,
    segments: project.segments.map((s) => ({ ...s, codeIds: dedupe(s.codeIds.map(to)) })),
    themes: project.themes.map((t) => ({ ...t, codeIds: dedupe(t.codeIds.map(to)) })),
    memos: project.memos.map((m) =>
      m.target.kind === 'code' ? { ...m, target: { kind: 'code' as const, id: to(m.target.id) } } : m,
    ),
  };
}

/** One code as a list of segments shows it once codes are merged: the target, and the codes applied as it. */
interface ConsensusCodeLabel {
  /** The consensus codebook's code (the target; the code itself when it is not merged). */
  readonly id: string;
  readonly name: string;
  /** Names of the codes actually applied that were merged into it (empty when the target itself was applied). */
  readonly mergedFrom: readonly string[];
}

/**
 * How a segment's codes read through the consensus codebook: each target once, in the order first applied,
 * with the names of the merged codes the coder applied (a coding page shows the consensus name, the original
 * in a tooltip, so a coder's segment never shows a code that has left the codebook without saying so).
 */
export function consensusCodeLabels(
  codes: readonly Code[],
): (ids: readonly string[]) => ConsensusCodeLabel[] {
  const to = codeTarget(codes);
  const byId = new Map(codes.map((c) => [c.id, c]));
  return (ids) => {
    const out = new Map<string, { id: string; name: string; mergedFrom: string[] }>();
    for (const id of ids) {
      const target = to(id);
      const label = out.get(target) ?? { id: target, name: byId.get(target)?.name ?? target, mergedFrom: [] };
      out.set(target, label);
      const name = byId.get(id)?.name ?? id;
      if (target !== id && !label.mergedFrom.includes(name)) label.mergedFrom.push(name);
    }
    return [...out.values()];
  };
}

/** Codes merged into `id` (directly), in codebook order. */
export function mergedCodes(codes: readonly Code[], id: string): Code[] {
  return codes.filter((c) => c.mergedInto === id);
}

export interface MergeInput {
  /** The codes to merge (the target may be one of them). */
  readonly codeIds: readonly string[];
  /** The code they become: an existing code's id, or a new code of the consensus codebook. */
  readonly into: string | { readonly id: string; readonly name: string; readonly definition?: string };
}

export interface MergeResult {
  /** The target: the existing code (now shared: no longer one coder's private code) or the new one. */
  readonly target: Code;
  readonly created: boolean;
  /** The merged codes, each with `mergedInto` set (with the codes merged into them before). */
  readonly merged: readonly Code[];
}

/**
 * Merge codes into one code of the consensus codebook. Refused (naming the code and what to do) when a code
 * does not exist, is a grouping node, is already merged, when fewer than two codes would become one, or when
 * the target is a sub-code of a merged code. A new target takes the place (parent) of the first merged code.
 */
export function mergeCodes(project: QualProject, input: MergeInput): Validated<MergeResult> {
  const byId = new Map(project.codes.map((c) => [c.id, c]));
  const ids = dedupe(input.codeIds);
  for (const id of ids) {
    const c = byId.get(id);
    if (!c) return fail('codeIds', `Code "${id}" does not exist (any more); reload the page.`);
    if (!c.codable)
      return fail('codeIds', `"${c.name}" is a grouping node; merge the codes under it instead.`);
    if (c.mergedInto !== undefined)
      return fail(
        'codeIds',
        `"${c.name}" is already merged into "${byId.get(c.mergedInto)?.name ?? c.mergedInto}"; merge that code instead.`,
      );
  }
  let target: Code;
  let created = false;
  if (typeof input.into === 'string') {
    const t = byId.get(input.into);
    if (!t) return fail('into', `Code "${input.into}" does not exist (any more); reload the page.`);
    if (!t.codable || t.mergedInto !== undefined)
      return fail(
        'into',
        `"${t.name}" cannot take the merged codes: it is a grouping node or merged itself.`,
      );
    const { createdBy: _private, ...shared } = t;
    target = shared;
  } else {
    const name = input.into.name.trim();
    if (!name) return fail('name', 'Name the merged code (or choose one of the codes to keep).');
    const first = byId.get(ids[0] ?? '');
    const taken = project.codes.find(
      (c) =>
        c.mergedInto === undefined &&
        !ids.includes(c.id) &&
        c.name.toLocaleLowerCase() === name.toLocaleLowerCase() &&
        c.parentId === (first?.parentId ?? null),
    );
    if (taken)
      return fail('name', `A code named "${taken.name}" already exists there; merge into it instead.`);
    if (byId.has(input.into.id)) return fail('into', `Code id "${input.into.id}" is taken.`);
    const parsed = CodeSchema.safeParse({
      id: input.into.id,
      name,
      parentId: first?.parentId ?? null,
      definition: input.into.definition?.trim() ?? '',
    });
    if (!parsed.success)
      return fail('into', `The merged code is not valid: ${parsed.error.issues[0]?.message}`);
    target = parsed.data;
    created = true;
  }
  const merging = ids.filter((id) => id !== target.id);
  if (merging.length + 1 < 2)
    return fail('codeIds', 'Choose at least two codes to merge (or one code and another to merge it into).');
  for (const id of merging)
    if (descendantCodeIds(project.codes, id).has(target.id))
      return fail(
        'into',
        `"${target.name}" is a sub-code of "${mapAt(byId, id).name}"; merge into a code outside it, or a new code.`,
      );
  // Codes merged earlier into a code merged now follow it to the target (no chains).
  const following = project.codes.filter(
    (c) => c.mergedInto !== undefined && merging.includes(c.mergedInto) && c.id !== target.id,
  );
  return {
    ok: true,
    value: {
      target,
      created,
      merged: [...merging, ...following.map((c) => c.id)].map((id) => ({
        ...mapAt(byId, id),
        mergedInto: target.id,
      })),
    },
  };
}

/** Undo a merge: the code is in the consensus codebook again, with its codings. */
export function unmergeCode(project: QualProject, codeId: string): Validated<Code> {
  const c = project.codes.find((x) => x.id === codeId);
  if (!c) return fail('code', `Code "${codeId}" does not exist (any more); reload the page.`);
  if (c.mergedInto === undefined) return fail('code', `"${c.name}" is not merged into another code.`);
  const { mergedInto: _m, ...rest } = c;
  return { ok: true, value: rest };
}

/** One passage of a code: a maximal run of text coded with it by some coder or the consensus. */
interface CodePassage extends Range {
  /** `source:start-end`: what a split form posts. */
  readonly key: string;
  readonly sourceId: string;
  /** The segments inside it that carry the code (read through the consensus codebook). */
  readonly segmentIds: readonly string[];
  readonly coders: readonly string[];
}

/** The passages of a code (read through the consensus codebook), per source in project order, then by start. */
export function codePassages(project: QualProject, codeId: string): CodePassage[] {
  const p = consensusCodebook(project);
  const out: CodePassage[] = [];
  for (const src of p.sources) {
    const segs = p.segments.filter((s) => s.sourceId === src.id && s.codeIds.includes(codeId));
    for (const r of unionRanges(segs)) {
      const inside = segs.filter((s) => s.start >= r.start && s.end <= r.end);
      out.push({
        key: `${src.id}:${r.start}-${r.end}`,
        sourceId: src.id,
        start: r.start,
        end: r.end,
        segmentIds: inside.map((s) => s.id),
        coders: dedupe(inside.map((s) => s.coderId)),
      });
    }
  }
  return out;
}

export interface SplitInput {
  readonly codeId: string;
  /** The new code (its place: beside the split code). */
  readonly newCode: { readonly id: string; readonly name: string; readonly definition?: string };
  /** Keys of the passages ({@link CodePassage.key}) that go to the new code; the others stay. */
  readonly move: readonly string[];
}

export interface SplitResult {
  readonly code: Code;
  /** The rewritten segments: the split code (and codes merged into it) replaced by the new code. */
  readonly segments: readonly Segment[];
  readonly moved: readonly CodePassage[];
  readonly kept: readonly CodePassage[];
}

/**
 * Split a code: the passages named in `move` go to a new code, the others stay. Refused when the code does not
 * exist or is merged, when a passage key is not a passage of the code (the coding changed: reload), or when
 * the split moves nothing or everything (that is a rename).
 */
export function splitCode(project: QualProject, input: SplitInput): Validated<SplitResult> {
  const code = project.codes.find((c) => c.id === input.codeId);
  if (!code) return fail('code', `Code "${input.codeId}" does not exist (any more); reload the page.`);
  if (code.mergedInto !== undefined)
    return fail('code', `"${code.name}" is merged into another code; split that code instead.`);
  const passages = codePassages(project, code.id);
  const keys = new Set(passages.map((x) => x.key));
  const unknown = input.move.find((k) => !keys.has(k));
  if (unknown !== undefined)
    return fail(
      'move',
      `"${unknown}" is not a passage of "${code.name}" (the coding changed since the page was loaded); reload the page and choose again.`,
    );
  const move = new Set(input.move);
  const moved = passages.filter((x) => move.has(x.key));
  const kept = passages.filter((x) => !move.has(x.key));
  if (moved.length === 0)
    return fail('move', `Choose the passages of "${code.name}" that go to the new code.`);
  if (kept.length === 0)
    return fail(
      'move',
      `Every passage of "${code.name}" would move: rename the code instead of splitting it.`,
    );
  const name = input.newCode.name.trim();
  if (!name) return fail('name', 'Name the new code.');
  if (project.codes.some((c) => c.id === input.newCode.id))
    return fail('newCode', `Code id "${input.newCode.id}" is taken.`);
  if (
    project.codes.some(
      (c) =>
        c.mergedInto === undefined &&
        c.parentId === code.parentId &&
        c.name.toLocaleLowerCase() === name.toLocaleLowerCase(),
    )
  )
    return fail('name', `A code named "${name}" already exists there; choose another name.`);
  const parsed = CodeSchema.safeParse({
    id: input.newCode.id,
    name,
    parentId: code.parentId,
    splitFrom: code.id,
    definition: input.newCode.definition?.trim() ?? '',
    ...(code.color ? { color: code.color } : {}),
  });
  if (!parsed.success)
    return fail('newCode', `The new code is not valid: ${parsed.error.issues[0]?.message}`);
  const to = codeTarget(project.codes);
  const movedIds = new Set(moved.flatMap((x) => x.segmentIds));
  const segments = project.segments
    .filter((s) => movedIds.has(s.id))
    .map((s) => ({
      ...s,
      codeIds: dedupe(s.codeIds.map((c) => (to(c) === code.id ? parsed.data.id : c))),
    }));
  return { ok: true, value: { code: parsed.data, segments, moved, kept } };
}

/** Agreement among the coders as it was before consensus changed anything (recorded once, never recomputed). */
export const AgreementBaselineSchema = z.object({
  at: IsoDateTimeSchema,
  coders: z.array(QualIdSchema),
  codes: z.number().int().nonnegative(),
  /** Character × code decisions counted (transcripts every coder coded, participants' turns). */
  units: z.number().int().nonnegative(),
  alpha: z.number().nullable(),
  /** Two coders only. */
  kappa: z.number().nullable().optional(),
  percentAgreement: z.number().nullable().optional(),
});
export type AgreementBaseline = z.infer<typeof AgreementBaselineSchema>;

/** Coders who coded something (never the consensus layer), in coder order. */
export function codingCoders(project: QualProject): string[] {
  return project.coders
    .filter((c) => c.id !== CONSENSUS_CODER.id && project.segments.some((s) => s.coderId === c.id))
    .map((c) => c.id);
}

/**
 * The pooled agreement among every coder who coded, over every code they used, at the character unit with the
 * default scope — what a project's consensus is measured against. Null with fewer than two coders.
 */
export function agreementBaseline(project: QualProject, at: string): AgreementBaseline | null {
  const p = consensusCodebook(project);
  const coders = codingCoders(p);
  if (coders.length < 2) return null;
  const codeIds = dedupe(
    p.segments.filter((s) => coders.includes(s.coderId)).flatMap((s) => s.codeIds),
  ).filter((id) => p.codes.some((c) => c.id === id && c.codable));
  const row = pooledRow(compareCoders(p, { coders, codeIds, unit: 'character', bootstrap: false }));
  const n = (x: number | NotComputable) => (isNotComputable(x) ? null : x);
  return {
    at,
    coders,
    codes: codeIds.length,
    units: row.alpha.denominator.units,
    alpha: n(row.alpha.alpha),
    ...(row.two ? { kappa: n(row.two.kappa), percentAgreement: n(row.two.percentAgreement) } : {}),
  };
}

export interface UnsplitResult {
  /** The code made by the split, to be removed. */
  readonly code: Code;
  /** The code it was split from, which takes its passages back. */
  readonly into: Code;
  /** The rewritten segments: the split-off code replaced by the code it came from. */
  readonly segments: readonly Segment[];
}

/**
 * Undo a split: every segment carrying the code made by the split carries the code it was split from again
 * (a segment that carried a code merged into that code before the split comes back as the code itself), and
 * the code goes. Refused when the code was not made by a split, when the code it came from is gone, merged or
 * a grouping node, and when later steps depend on the code — codes merged into it or split from it, sub-codes,
 * themes linking it, memos on it — naming each, to be undone first. Segments (every coder's and the consensus
 * layer's, as the split moved them) go back whether coded before or after the split.
 */
export function unsplitCode(project: QualProject, codeId: string): Validated<UnsplitResult> {
  const code = project.codes.find((c) => c.id === codeId);
  if (!code) return fail('code', `Code "${codeId}" does not exist (any more); reload the page.`);
  if (code.splitFrom === undefined)
    return fail('code', `"${code.name}" was not made by splitting another code; there is no split to undo.`);
  const into = project.codes.find((c) => c.id === code.splitFrom);
  if (!into)
    return fail(
      'code',
      `"${code.name}" was split from a code that has since been deleted; the split cannot be undone.`,
    );
  if (into.mergedInto !== undefined)
    return fail(
      'code',
      `"${code.name}" was split from "${into.name}", which is now merged into another code: undo that merge first.`,
    );
  if (code.mergedInto !== undefined)
    return fail('code', `"${code.name}" is merged into another code: undo that merge first.`);
  if (!into.codable)
    return fail('code', `"${code.name}" was split from "${into.name}", which is now a grouping node.`);
  const names = (cs: readonly { name: string }[]) => cs.map((c) => `"${c.name}"`).join(', ');
  const later: string[] = [];
  const merged = project.codes.filter((c) => c.mergedInto === code.id);
  if (merged.length) later.push(`${names(merged)} merged into it`);
  const splits = project.codes.filter((c) => c.splitFrom === code.id);
  if (splits.length) later.push(`${names(splits)} split from it`);
  const subs = project.codes.filter((c) => c.parentId === code.id);
  if (subs.length) later.push(`sub-code(s) ${names(subs)}`);
  const themes = project.themes.filter((t) => t.codeIds.includes(code.id));
  if (themes.length) later.push(`theme(s) ${names(themes)} linking it`);
  const memos = project.memos.filter((m) => m.target.kind === 'code' && m.target.id === code.id).length;
  if (memos) later.push(`${memos} memo(s) on it`);
  if (later.length)
    return fail(
      'code',
      `The split of "${into.name}" into "${code.name}" cannot be undone: later steps depend on it (${later.join('; ')}). Undo those first.`,
    );
  const segments = project.segments
    .filter((s) => s.codeIds.includes(code.id))
    .map((s) => ({ ...s, codeIds: dedupe(s.codeIds.map((c) => (c === code.id ? into.id : c))) }));
  return { ok: true, value: { code, into, segments } };
}
