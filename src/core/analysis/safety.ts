/** The safety-flag section: how many respondents met each instrument's follow-up rule. */
import { isSmall, suppressionReason } from '../privacy/suppression.js';
import { col, INTEGER, num, pct, suppressed, TEXT, text } from '../report/index.js';
import type { Row, Section } from '../report/spec.js';
import type { AnalysisInput } from './input.js';

export function safetySection(input: AnalysisInput, k: number): Section | undefined {
  const { scored } = input;
  if (!scored.safety.length) return undefined;
  const rows: Row[] = scored.safety.map((f) => {
    const hide = isSmall(f.nFlagged, k);
    return {
      kind: 'data' as const,
      cells: {
        rule: text(f.description),
        n: hide ? suppressed(suppressionReason(k)) : num(f.nFlagged),
        percent: hide ? suppressed(suppressionReason(k)) : num(f.nFlagged / Math.max(1, scored.n)),
      },
    };
  });
  return {
    id: 'safety',
    title: 'Safety flags',
    blocks: [
      {
        type: 'table',
        id: 'safety',
        title: 'Respondents whose answers met a safety rule',
        columns: [col('rule', 'Rule', TEXT), col('n', 'n', INTEGER), col('percent', '%', pct(1))],
        rows,
        denominator: `Percentages are of all ${scored.n} responses.`,
        notes: [
          "A safety rule is an instrument's prompt for follow-up (e.g. PHQ-9 item 9 above 0); it is not a diagnosis.",
        ],
      },
    ],
  };
}
