#!/usr/bin/env node
/**
 * Benchmark: `nabz analyze` against the same analysis in R (bench/analyze.R: base R + psych + car) on synthetic
 * Google-Forms-shaped BACE exports of 10k, 100k and 1M respondents (30 items + demographics), generated with
 * the example study's seeded simulator. Both sides fit the study's models (analysis.models: a logistic model
 * of stigma ≥ 1.5 and one of "any barrier domain ≥ 1.5" with crude and adjusted ORs, a linear model of stigma)
 * and the bivariate associations of "any barrier" (analysis.associations). Prints wall time, peak memory (max
 * RSS from /usr/bin/time -v), the 1-minute load average before each run, the ratio R / nabz, and the growth from
 * the smallest to the largest size (linear = ×100 for 10k → 1M).
 *
 * Usage: npm run build && node bench/analyze.mjs [--sizes 10000,100000,1000000] [--repeat 1]
 * Needs: Rscript with psych and car (apt-get install r-base-core r-cran-psych r-cran-car), GNU time (/usr/bin/time).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { arg, CLI as cli, machine, requireBuild, ROOT as root } from './lib/common.mjs';

requireBuild();
if (!existsSync('/usr/bin/time')) throw new Error('GNU time is needed: apt-get install time');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const sizes = arg('sizes', '10000,100000,1000000').split(',').map(Number);
const repeat = Number(arg('repeat', '1'));
const study = join(root, 'examples', 'bace-medical-students', 'study.json');
const spec = join(root, 'examples', 'bace-medical-students', 'simulation.json');

function timed(cmd, args) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
  const wall = r.stderr.match(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/);
  const rss = r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { seconds, peakMb: Number(rss[1]) / 1024, load };
}
const best = (runs) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));

console.log(`machine: ${machine()}`);
console.log(
  `R: ${execFileSync('Rscript', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim() || spawnSync('Rscript', ['--version'], { encoding: 'utf8' }).stderr.trim()}`,
);
const rows = [];
for (const n of sizes) {
  const file = join(out, `bace-${n}.csv`);
  if (!existsSync(file)) {
    execFileSync(
      'node',
      [cli, 'simulate', '--study', study, '--spec', spec, '--n', String(n), '--seed', '7', '--out', file],
      { stdio: 'inherit' },
    );
  }
  const mb = statSync(file).size / 2 ** 20;
  const nabz = best(
    Array.from({ length: repeat }, () =>
      timed('node', [cli, 'analyze', file, '--study', study, '--format', 'json']),
    ),
  );
  const r = best(
    Array.from({ length: repeat }, () =>
      timed('Rscript', ['--vanilla', join(root, 'bench', 'analyze.R'), file]),
    ),
  );
  rows.push({ n, mb, nabz, r });
  console.log(
    `n = ${String(n).padStart(8)} (${mb.toFixed(0)} MB CSV): nabz ${nabz.seconds.toFixed(2)} s, peak ${nabz.peakMb.toFixed(0)} MB (load ${nabz.load.toFixed(2)} before) | R ${r.seconds.toFixed(2)} s, peak ${r.peakMb.toFixed(0)} MB (load ${r.load.toFixed(2)} before) | R/nabz time ${(r.seconds / nabz.seconds).toFixed(2)}×`,
  );
}
if (rows.length > 1) {
  const a = rows[0];
  const b = rows.at(-1);
  const sizeRatio = b.n / a.n;
  console.log(
    `growth ${a.n} → ${b.n} (×${sizeRatio}): nabz time ×${(b.nabz.seconds / a.nabz.seconds).toFixed(1)}, R time ×${(b.r.seconds / a.r.seconds).toFixed(1)} (linear = ×${sizeRatio}; start-up dominates small sizes)`,
  );
  const per = rows.map((x) => `${x.n}: ${((x.nabz.seconds / x.n) * 1e6).toFixed(2)} µs/respondent`);
  console.log(`nabz time per respondent: ${per.join(', ')}`);
}
const last = rows.at(-1);
if (last && last.n >= 1_000_000) {
  console.log(
    `1M respondents: nabz ${last.nabz.seconds < last.r.seconds ? 'faster' : 'SLOWER'} than R; peak memory ${last.nabz.peakMb < 1024 ? 'under' : 'OVER'} 1 GB (${last.nabz.peakMb.toFixed(0)} MB)`,
  );
}
