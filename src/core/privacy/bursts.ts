/**
 * Bursts of near-identical responses (docs/security.md, finding 2): anyone with an open link can pad a small
 * group over k with made-up responses of known answers and read the real person's values from the group's
 * aggregates. Fakes typed quickly are alike and arrive together, so nabz flags them; flagged responses stay out
 * of viewers' aggregates until an analyst reviews them.
 *
 * Two responses are near-identical when at most `maxDifferences` of the questions either answered differ. A
 * response is flagged when at least `minSize − 1` of the `window` responses stored just before it are
 * near-identical to it. The rule looks only backwards, so a response's flag never changes when later responses
 * arrive (a published snapshot never loses a member; see suppression.ts). Pure and deterministic; the detector
 * keeps only the last `window` signatures, so memory stays flat however many responses a study has.
 */

import { canonicalJson } from '../json.js';
import type { Answers } from '../response/answer.js';
import { at } from '../stats/at.js';

interface BurstOptions {
  /** How many earlier responses each one is compared with (default 10). */
  readonly window?: number;
  /** Smallest burst (default 3). */
  readonly minSize?: number;
  /** Answers that may differ between near-identical responses (default: 10% of the questions, at least 1). */
  readonly maxDifferences?: number;
}

/** One response's answers as question id → a canonical text of its answer. */
type AnswerSignature = ReadonlyMap<string, string>;

/** The signature of a stored answers object (`{ itemId: answer }`), each answer as canonical JSON. */
export function answerSignature(answers: Answers): AnswerSignature {
  const out = new Map<string, string>();
  for (const key of Object.keys(answers).sort()) out.set(key, canonicalJson(answers[key]));
  return out;
}

/** How many questions two signatures answer differently (a question only one of them has counts). */
export function differences(
  a: AnswerSignature,
  b: AnswerSignature,
  stopAt = Number.POSITIVE_INFINITY,
): number {
  let d = 0;
  for (const [k, v] of a) {
    if (b.get(k) !== v && ++d > stopAt) return d;
  }
  for (const k of b.keys()) {
    if (!a.has(k) && ++d > stopAt) return d;
  }
  return d;
}

/** Flags responses one at a time, in storage order. */
export class BurstDetector {
  private readonly window: number;
  private readonly minSize: number;
  private readonly maxDifferences: number | undefined;
  private readonly recent: AnswerSignature[] = [];

  constructor(options: BurstOptions = {}) {
    this.window = options.window ?? 10;
    this.minSize = options.minSize ?? 3;
    this.maxDifferences = options.maxDifferences;
  }

  /** Whether the next response (its stored answers) is flagged. */
  push(answers: Answers): boolean {
    const sig = answerSignature(answers);
    const allowed = this.maxDifferences ?? Math.max(1, Math.floor(sig.size / 10));
    let alike = 0;
    for (const earlier of this.recent) if (differences(sig, earlier, allowed) <= allowed) alike++;
    this.recent.push(sig);
    if (this.recent.length > this.window) this.recent.shift();
    return alike >= this.minSize - 1;
  }
}

/** The flagged responses (0-based positions in storage order) of a sequence of stored answers. */
export function flaggedPositions(answers: Iterable<Answers>, options: BurstOptions = {}): number[] {
  const d = new BurstDetector(options);
  const out: number[] = [];
  let i = 0;
  for (const a of answers) {
    if (d.push(a)) out.push(i);
    i++;
  }
  return out;
}

/** Flagged positions grouped for review: flags at most `window` apart form one burst. */
export function groupBursts(flagged: readonly number[], window = 10): number[][] {
  const out: number[][] = [];
  for (const p of flagged) {
    const last = out[out.length - 1];
    if (last && p - at(last, last.length - 1) <= window) last.push(p);
    else out.push([p]);
  }
  return out;
}
