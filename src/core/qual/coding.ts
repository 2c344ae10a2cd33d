/**
 * Coding a passage, pure: where the passage is (a selection's start and end in code points, or a whole speaker
 * turn), which codes it gets (chosen ones, and a new code named on the spot — reused when the coder can see a
 * code of that name), and the segment itself, checked against the project (`createSegment`). The coding page
 * (src/server/qual/sources.ts) reads the form and stores what this returns.
 */
import type { Issue, Validated } from '../issue.js';
import { type Code, createSegment, type QualProject, type Segment, type Turn } from './model.js';

/** What the coding form says. */
export interface CodingInput {
  /** Transcript (source) id. */
  readonly sourceId: string;
  /** A whole turn's index as sent (`''` when a selection is given instead). */
  readonly turn: string;
  /** The selection's start and end as sent (code points, end not included). */
  readonly start: string;
  readonly end: string;
  readonly codeIds: readonly string[];
  /** A new code to apply (`''` for none). */
  readonly newCode: string;
  readonly memo: string;
}

export interface CodingContext {
  readonly segmentId: string;
  readonly coderId: string;
  /** The coder's name, when they are not among the project's coders yet. */
  readonly coderName: string;
  /** Whether coding is blind: a new code is then the coder's own (others neither see nor reuse it). */
  readonly blind: boolean;
  readonly at: string;
  /** The id of a new code, when one is made. */
  readonly newCodeId: () => string;
}

/** The segment, and the code made for it (when a new name matched no code the coder sees). */
export interface Coding {
  readonly segment: Segment;
  readonly newCode?: Code;
}

const issue = (path: string, code: string, message: string): Issue => ({ path, code, message });

/** The passage a coding form names: a whole turn's words, or the selection's positions. */
export function codingRange(
  turns: readonly Turn[],
  input: Pick<CodingInput, 'turn' | 'start' | 'end'>,
): Validated<{ start: number; end: number }> {
  if (input.turn !== '') {
    const t = turns.find((x) => String(x.index) === input.turn);
    if (!t)
      return {
        ok: false,
        issues: [issue('turn', 'unknown_turn', `Turn ${input.turn} does not exist in this transcript.`)],
      };
    return { ok: true, value: { start: t.contentStart, end: Math.max(t.end, t.contentStart) } };
  }
  if (!/^\d+$/.test(input.start) || !/^\d+$/.test(input.end))
    return {
      ok: false,
      issues: [
        issue(
          'start',
          'no_selection',
          'Select a passage in the transcript (or give start and end positions, or choose a whole turn) before applying codes.',
        ),
      ],
    };
  return { ok: true, value: { start: Number(input.start), end: Number(input.end) } };
}

/**
 * Code a passage of a transcript of `project` (the project as the coder sees it). Issues: `unknown_turn`,
 * `no_selection`, `no_codes`, and `invalid_segment` for the segment's own checks (positions inside the text,
 * known codes), in one message.
 */
export function codePassage(
  project: QualProject,
  turns: readonly Turn[],
  input: CodingInput,
  ctx: CodingContext,
): Validated<Coding> {
  const range = codingRange(turns, input);
  if (!range.ok) return range;
  const codeIds = [...input.codeIds];
  let newCode: Code | undefined;
  const codes = [...project.codes];
  if (input.newCode) {
    const wanted = input.newCode.toLocaleLowerCase();
    const same = codes.find(
      (c) =>
        c.name.toLocaleLowerCase() === wanted &&
        (!ctx.blind || c.createdBy === undefined || c.createdBy === ctx.coderId),
    );
    if (same) codeIds.push(same.id);
    else {
      newCode = {
        id: ctx.newCodeId(),
        name: input.newCode,
        parentId: null,
        definition: '',
        examples: [],
        codable: true,
        ...(ctx.blind ? { createdBy: ctx.coderId } : {}),
      };
      codes.push(newCode);
      codeIds.push(newCode.id);
    }
  }
  if (!codeIds.length)
    return {
      ok: false,
      issues: [issue('codes', 'no_codes', 'Choose at least one code (or name a new one) to apply.')],
    };
  const coders = project.coders.some((c) => c.id === ctx.coderId)
    ? project.coders
    : [...project.coders, { id: ctx.coderId, name: ctx.coderName }];
  const seg = createSegment(
    { ...project, codes, coders },
    {
      id: ctx.segmentId,
      sourceId: input.sourceId,
      start: range.value.start,
      end: range.value.end,
      codeIds: [...new Set(codeIds)],
      coderId: ctx.coderId,
      ...(input.memo ? { memo: input.memo } : {}),
      createdAt: ctx.at,
    },
  );
  if (!seg.ok)
    return {
      ok: false,
      issues: [
        issue(
          'segment',
          'invalid_segment',
          `The segment cannot be saved: ${seg.issues.map((i) => i.message).join('; ')}`,
        ),
      ],
    };
  return { ok: true, value: { segment: seg.value, ...(newCode ? { newCode } : {}) } };
}
