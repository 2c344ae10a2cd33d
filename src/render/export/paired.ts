/**
 * The paired export of a screening study's follow-up waves (issue 14): one row per panel id (a volunteer's
 * pseudonymous id, the same in every wave of one screening study: src/store/waves.ts), and per wave the value
 * and band of each reported score, named `<score>_<wave>` (`phq9_total_pre`, `phq9_total_post`,
 * `phq9_total_band_pre`, …). A volunteer who did not answer a wave has empty cells for it. Scores are computed
 * as every other export computes them (`buildVariables` with scores, `createRowEncoder`), each wave with its
 * own definition.
 */
import type { Answers } from '../../core/response/submission.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';
import { createRowEncoder } from './rows.js';
import { buildVariables } from './variables.js';

/** One wave as the paired export reads it. */
interface PairedWave {
  /** The wave's name ("pre", "post"), turned into the column suffix. */
  readonly label: string;
  readonly resolved: ResolvedStudy;
  /** Its responses that carry a panel id. */
  readonly responses: readonly { readonly panelId: string; readonly answers: Answers }[];
}

/** The paired table: column names, and one row per panel id (numbers, or null for no value). */
export interface PairedTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly [string, ...(number | null)[]])[];
  /** Per wave (in order): its column suffix and, per score id, the column index of the score's value. */
  readonly waves: readonly { readonly suffix: string; readonly scores: ReadonlyMap<string, number> }[];
}

/** A wave's name as a variable-name suffix: lower-case letters, digits and `_` ("Post 1" → `post_1`). */
function waveSuffix(label: string): string {
  const s = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s || 'wave';
}

/** Join the waves' responses by panel id. */
export function pairedTable(waves: readonly PairedWave[]): PairedTable {
  const columns: string[] = ['panel_id'];
  const used = new Set<string>();
  const parts = waves.map((w) => {
    let suffix = waveSuffix(w.label);
    for (let i = 2; used.has(suffix); i++) suffix = `${waveSuffix(w.label)}_${i}`;
    used.add(suffix);
    const variables = buildVariables(w.resolved, { includeScores: true }).filter(
      (v) => v.source.kind === 'score' && v.source.part !== 'n_answered',
    );
    const encode = createRowEncoder(variables);
    const first = columns.length;
    const scores = new Map<string, number>();
    for (const [i, v] of variables.entries()) {
      columns.push(`${v.name}_${suffix}`);
      if (v.source.kind === 'score' && v.source.part === 'value') scores.set(v.source.scoreId, first + i);
    }
    const byPanel = new Map<string, (number | null)[]>();
    for (const r of w.responses)
      byPanel.set(
        r.panelId,
        encode({ responseId: '', submittedOn: '', language: '', answers: r.answers }).map((x) =>
          typeof x === 'number' ? x : null,
        ),
      );
    return { suffix, width: variables.length, byPanel, scores };
  });
  const panels = [...new Set(parts.flatMap((p) => [...p.byPanel.keys()]))].sort();
  const rows = panels.map((panelId): [string, ...(number | null)[]] => [
    panelId,
    ...parts.flatMap((p) => p.byPanel.get(panelId) ?? new Array<number | null>(p.width).fill(null)),
  ]);
  return { columns, rows, waves: parts.map((p) => ({ suffix: p.suffix, scores: p.scores })) };
}

/** The paired table as CSV (RFC 4180, CRLF; numbers as JavaScript prints them, empty for no value). */
export function pairedCsv(table: PairedTable): string {
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [table.columns, ...table.rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
