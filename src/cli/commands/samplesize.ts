/** `nabz samplesize`: n to estimate a proportion, or n per group to compare two means at a given power. */

import { isNotComputable } from '../../core/stats/result.js';
import { sampleSizeProportion, sampleSizeTTest } from '../../core/stats/samplesize.js';
import { num, parse, requireNum } from '../args.js';
import { CliError, usageError } from '../errors.js';

const USAGE = `Usage:
  nabz samplesize proportion --p P --margin D [--level 0.95] [--population N]
  nabz samplesize means --delta DIFF --sd SD [--power 0.8] [--alpha 0.05] [--one-sided]

proportion: n = z² p(1−p) / d², rounded up, with the finite population correction n/(1+(n−1)/N) when
            --population is given. Example (the seed study): --p 0.425 --margin 0.07 → 192.
means:      n per group for a two-sample t-test to detect a difference DIFF with standard deviation SD
            (as R power.t.test).`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      p: { type: 'string' },
      margin: { type: 'string' },
      level: { type: 'string' },
      population: { type: 'string' },
      delta: { type: 'string' },
      sd: { type: 'string' },
      power: { type: 'string' },
      alpha: { type: 'string' },
      'one-sided': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  const kind = positionals[0];
  const check = (x: number, name: string, lo: number, hi: number, openLo = true) => {
    if (!(openLo ? x > lo : x >= lo) || !(x < hi))
      throw usageError(`--${name} must be between ${lo} and ${hi}, got ${x}`, USAGE);
  };
  if (kind === 'proportion') {
    const p = requireNum(values.p, 'p', USAGE);
    const d = requireNum(values.margin, 'margin', USAGE);
    const level = num(values.level, 'level', USAGE) ?? 0.95;
    const population = num(values.population, 'population', USAGE);
    check(p, 'p', 0, 1);
    check(d, 'margin', 0, 1);
    check(level, 'level', 0, 1);
    if (population !== undefined && !(Number.isInteger(population) && population > 0)) {
      throw usageError(`--population must be a positive whole number, got ${population}`, USAGE);
    }
    const r = sampleSizeProportion({
      p,
      marginOfError: d,
      level,
      ...(population !== undefined ? { populationSize: population } : {}),
    });
    if (isNotComputable(r)) throw new CliError(r.reason);
    if (values.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    process.stdout.write(
      [
        `Sample size for a proportion: n = ${r.n}`,
        `  ${r.method}`,
        `  p = ${p}, margin of error ±${d}, ${level * 100}% confidence (z = ${r.z.toFixed(6)})`,
        `  n0 = z²·p·(1−p)/d² = ${r.n0.toFixed(4)}${r.populationSize ? `; with N = ${r.populationSize}: n0/(1+(n0−1)/N) = ${r.nUnrounded.toFixed(4)}` : ''}; rounded up: ${r.n}`,
        '',
      ].join('\n'),
    );
  } else if (kind === 'means') {
    const delta = requireNum(values.delta, 'delta', USAGE);
    const sd = requireNum(values.sd, 'sd', USAGE);
    const power = num(values.power, 'power', USAGE) ?? 0.8;
    const alpha = num(values.alpha, 'alpha', USAGE) ?? 0.05;
    check(power, 'power', 0, 1);
    check(alpha, 'alpha', 0, 1);
    if (!(sd > 0)) throw usageError(`--sd must be above 0, got ${sd}`, USAGE);
    const r = sampleSizeTTest({
      delta,
      sd,
      power,
      sigLevel: alpha,
      alternative: values['one-sided'] ? 'one.sided' : 'two.sided',
    });
    if (isNotComputable(r)) throw new CliError(r.reason);
    if (values.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    process.stdout.write(
      [
        `Sample size per group: n = ${r.n} (total ${2 * r.n})`,
        `  ${r.method}`,
        `  difference ${delta}, SD ${sd}, power ${power}, α = ${alpha} ${values['one-sided'] ? 'one-sided' : 'two-sided'}`,
        `  exact solution n = ${r.nUnrounded.toFixed(4)}; achieved power at n = ${r.n}: ${r.achievedPower.toFixed(4)}`,
        '',
      ].join('\n'),
    );
  } else {
    throw usageError(
      kind ? `unknown kind "${kind}"; use proportion or means` : 'say what to size: proportion or means',
      USAGE,
    );
  }
}
