/**
 * `nabz ttest --summary`: Student and Welch t-tests from published means, SDs and Ns, so a reader can
 * recheck a paper's table.
 */
import { formatDf, formatPExpression } from '../../core/report/format.js';
import { cohensDFromSummary } from '../../core/stats/effectsize.js';
import { isNotComputable } from '../../core/stats/result.js';
import { ttestFromSummary } from '../../core/stats/ttest.js';
import { parse } from '../args.js';
import { CliError, usageError } from '../errors.js';

const USAGE = `Usage: nabz ttest --summary --a N,MEAN,SD --b N,MEAN,SD [--labels A,B] [--alpha 0.05] [--reported-p P] [--json]

Recomputes an independent-samples t-test from summary statistics: both the Student (equal variances) and
the Welch row, the mean difference with its 95% CI and Cohen's d. With --reported-p it says which test
reproduces the p-value a paper printed, and whether its wording ("significant"/"not significant") holds.
Example (the seed study's Table 3, instrumental barriers):
  nabz ttest --summary --a 158,1.0866,0.53186 --b 59,0.899,0.54317 --labels Postgraduate,Undergraduate --reported-p 0.022`;

function triple(s: string | undefined, name: string) {
  if (!s) throw usageError(`--${name} is required (N,MEAN,SD)`, USAGE);
  const parts = s.split(',').map((x) => x.trim());
  const [n, mean, sd] = parts.map(Number) as [number, number, number];
  if (parts.length !== 3 || ![n, mean, sd].every(Number.isFinite)) {
    throw usageError(`--${name} must be three numbers N,MEAN,SD; got "${s}"`, USAGE);
  }
  if (!Number.isInteger(n) || n < 2)
    throw usageError(`--${name}: N must be a whole number of at least 2; got ${n}`, USAGE);
  if (!(sd >= 0)) throw usageError(`--${name}: SD must be 0 or more; got ${sd}`, USAGE);
  return { n, mean, sd };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      summary: { type: 'boolean' },
      a: { type: 'string' },
      b: { type: 'string' },
      labels: { type: 'string' },
      alpha: { type: 'string' },
      'reported-p': { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (!values.summary)
    throw usageError('only --summary is supported here; for raw data use `nabz analyze`', USAGE);
  const a = triple(values.a, 'a');
  const b = triple(values.b, 'b');
  const [la, lb] = (values.labels ?? 'Group A,Group B').split(',').map((s) => s.trim());
  const alpha = values.alpha === undefined ? 0.05 : Number(values.alpha);
  if (!(alpha > 0 && alpha < 1))
    throw usageError(`--alpha must be between 0 and 1, got "${values.alpha}"`, USAGE);
  const reported = values['reported-p'] === undefined ? undefined : Number(values['reported-p']);
  if (reported !== undefined && !(reported >= 0 && reported <= 1))
    throw usageError(`--reported-p must be a probability, got "${values['reported-p']}"`, USAGE);
  const t = ttestFromSummary(a, b);
  if (isNotComputable(t)) throw new CliError(t.reason);
  const d = cohensDFromSummary(a, b);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ student: t.student, welch: t.welch, cohensD: d }, null, 2)}\n`);
    return;
  }
  const row = (name: string, r: typeof t.student) =>
    `  ${name.padEnd(26)} t(${formatDf(r.df)}) = ${r.statistic.toFixed(3)}, p = ${r.pValue.toPrecision(4)} (APA: ${formatPExpression(r.pValue, { alpha })}), difference ${r.estimate.toFixed(4)}, 95% CI [${r.ci.lower.toFixed(4)}, ${r.ci.upper.toFixed(4)}]`;
  const lines = [
    `${la}: n = ${a.n}, M = ${a.mean}, SD = ${a.sd}    ${lb}: n = ${b.n}, M = ${b.mean}, SD = ${b.sd}`,
    row('Student (equal variances)', t.student),
    row('Welch (unequal variances)', t.welch),
    isNotComputable(d)
      ? `  Cohen's d: not computable (${d.reason})`
      : `  Cohen's d = ${d.estimate.toFixed(3)}, 95% CI [${d.ci.lower.toFixed(3)}, ${d.ci.upper.toFixed(3)}]`,
  ];
  if (reported !== undefined) {
    const close = (p: number) => Math.abs(Number(p.toFixed(3)) - reported) < 5e-4 + 1e-12;
    const which = [close(t.student.pValue) ? 'Student' : '', close(t.welch.pValue) ? 'Welch' : ''].filter(
      Boolean,
    );
    lines.push(
      `  Reported p = ${reported}: ${which.length ? `reproduced by the ${which.join(' and the ')} test (to 3 decimals)` : 'reproduced by neither test — check the numbers or the test used'}.`,
      `  At α = ${alpha}, p = ${reported} is ${reported < alpha ? 'statistically significant (p < α): calling it "not significant" would be wrong' : 'not statistically significant (p ≥ α)'}.`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
