#!/usr/bin/env node
/**
 * Benchmark: the CPU work one JSON API submission costs before the database, in one process (no HTTP, no
 * load generator, so the figures are steady): parsing the 455-byte BACE v3 body, turning its answers into
 * typed answers and validating the whole response (`answersFromJson` + `validateResponse`, as the route
 * does), the engine's decision (`judgeSubmission`, and the precompiled `judgePlainSubmission` the API asks
 * first), and serialising the validated answers for storage (`encodeStoredAnswers`, the compact stored form of
 * src/core/response/answersJson.ts) and reading them back (`decodeStoredAnswers` after `JSON.parse`). Peers in
 * the same run: the body's own `JSON.parse` (what any server pays) and `JSON.stringify` of the same answers
 * (the verbose form stored before). Also prints the stored bytes of both forms.
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
const { judgePlainSubmission, judgeSubmission } = await import(
  join(ROOT, 'dist', 'core', 'respond', 'engine.js')
);
const { encodeStoredAnswers, decodeStoredAnswers } = await import(
  join(ROOT, 'dist', 'core', 'response', 'answersJson.js')
);

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
// The engine's decision as the JSON API asks for it: the general judge, and the precompiled one it asks first.
const judge = { lang: 'en', idem: 'k', open: true, invitationUsable: true };
const generalUs = time((i) => {
  const d = judgeSubmission(loaded, { ...judge, answers: JSON.parse(texts[i % 64]).answers });
  if (d.kind !== 'accept') throw new Error('the benchmark response was not accepted');
});
const plainUs = time((i) => {
  const d = judgePlainSubmission(loaded, {
    lang: 'en',
    idem: 'k',
    answers: JSON.parse(texts[i % 64]).answers,
  });
  if (d?.kind !== 'accept') throw new Error('the benchmark response did not take the precompiled judge');
});
const stringifyUs = time((i) => {
  sink += JSON.stringify(validated[i % 64]).length;
});
const encodeUs = time((i) => {
  sink += encodeStoredAnswers(validated[i % 64]).length;
});
const storedTexts = validated.map((v) => encodeStoredAnswers(v));
const verboseTexts = validated.map((v) => JSON.stringify(v));
const verboseParseUs = time((i) => {
  sink += Object.keys(JSON.parse(verboseTexts[i % 64])).length;
});
const decodeUs = time((i) => {
  sink += Object.keys(decodeStoredAnswers(JSON.parse(storedTexts[i % 64]))).length;
});
const mean = (xs) => xs.reduce((a, x) => a + x.length, 0) / xs.length;

console.log(`machine: ${machine()}`);
console.log(`${n.toLocaleString('en-US')} BACE v3 responses (30 items + 4 demographics), median of 3 runs\n`);
console.log('| step | µs per response |');
console.log('|---|---:|');
console.log(`| JSON.parse of the body (peer: every server pays it) | ${parseUs.toFixed(2)} |`);
console.log(`| parse + answersFromJson + validateResponse | ${validateUs.toFixed(2)} |`);
console.log(`| parse + judgeSubmission (the engine's general decision) | ${generalUs.toFixed(2)} |`);
console.log(
  `| parse + judgePlainSubmission (precompiled, what the API asks first) | ${plainUs.toFixed(2)} (${(generalUs / plainUs).toFixed(2)}× faster) |`,
);
console.log(`| JSON.stringify of the validated answers (peer) | ${stringifyUs.toFixed(2)} |`);
console.log(
  `| encodeStoredAnswers of the same answers | ${encodeUs.toFixed(2)} (${(stringifyUs / encodeUs).toFixed(2)}× faster than the peer) |`,
);
console.log(`| JSON.parse of the verbose stored form (peer) | ${verboseParseUs.toFixed(2)} |`);
console.log(`| JSON.parse + decodeStoredAnswers of the compact form | ${decodeUs.toFixed(2)} |`);
console.log(
  `\nstored answers per response: ${mean(storedTexts).toFixed(0)} bytes compact (version 2), ` +
    `${mean(verboseTexts).toFixed(0)} bytes verbose (before)`,
);
if (sink < 0) console.log(sink);
