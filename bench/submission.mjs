#!/usr/bin/env node
/**
 * Benchmark: the CPU work one JSON API submission costs before the database, in one process (no HTTP, no
 * load generator, so the figures are steady): parsing the 455-byte BACE v3 body, turning its answers into
 * typed answers and validating the whole response (`answersFromJson` + `validateResponse`, as the route
 * does), and serialising the validated answers for storage (`answersJson`). Peers in the same run: the body's
 * own `JSON.parse` (what any server pays) and `JSON.stringify` of the same answers (what `answersJson`
 * replaces; the two give the same text, see test/core/response/answersJson.test.ts).
 *
 * Usage: npm run build && node bench/submission.mjs [--n 200000]
 */
import { join } from 'node:path';
import { arg, baceBodies, baceDefinition, machine, ROOT, requireBuild } from './lib/common.mjs';

requireBuild();
const n = Number(arg('n', '200000'));
const { prepareDefinition } = await import(join(ROOT, 'dist', 'server', 'respond', 'load.js'));
const { answersFromJson, validateResponse } = await import(
  join(ROOT, 'dist', 'core', 'response', 'submission.js')
);
const { answersJson } = await import(join(ROOT, 'dist', 'core', 'response', 'answersJson.js'));

const loaded = prepareDefinition(baceDefinition(), 1);
const texts = baceBodies(64);
const validate = (text) => {
  const b = JSON.parse(text);
  const parsed = answersFromJson(loaded.flow, b.answers, 'en');
  const v = validateResponse(loaded.resolved, parsed.answers, { flow: loaded.flow, lang: 'en' });
  if (!v.ok) throw new Error(`the benchmark's answers are not valid: ${JSON.stringify(v.issues)}`);
  return v.value;
};
const validated = texts.map(validate);

let sink = 0;
/** Microseconds per call of `fn(i)`, after a warm-up of a tenth as many calls; the median of three runs. */
function time(fn) {
  for (let i = 0; i < n / 10; i++) fn(i);
  const runs = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    runs.push(((performance.now() - t0) * 1000) / n);
  }
  return runs.sort((a, b) => a - b)[1];
}

const parseUs = time((i) => {
  sink += JSON.parse(texts[i % 64]).language.length;
});
const validateUs = time((i) => {
  sink += validate(texts[i % 64]) ? 1 : 0;
});
const stringifyUs = time((i) => {
  sink += JSON.stringify(validated[i % 64]).length;
});
const answersJsonUs = time((i) => {
  sink += answersJson(validated[i % 64]).length;
});

console.log(`machine: ${machine()}`);
console.log(`${n.toLocaleString('en-US')} BACE v3 responses (30 items + 4 demographics), median of 3 runs\n`);
console.log('| step | µs per response |');
console.log('|---|---:|');
console.log(`| JSON.parse of the body (peer: every server pays it) | ${parseUs.toFixed(2)} |`);
console.log(`| parse + answersFromJson + validateResponse | ${validateUs.toFixed(2)} |`);
console.log(`| JSON.stringify of the validated answers (peer) | ${stringifyUs.toFixed(2)} |`);
console.log(
  `| answersJson of the same answers | ${answersJsonUs.toFixed(2)} (${(stringifyUs / answersJsonUs).toFixed(2)}× faster than the peer) |`,
);
if (sink < 0) console.log(sink);
