/**
 * What the burst detector (issue 12, finding 2) costs the analysis page: a study of N (default 10,000) random
 * BACE responses in a temporary SQLite file; times the report alone, the report with the detector riding
 * along the same pass (owners and analysts), the separate flags pass a viewer's snapshot needs, and the
 * detector alone. `npx tsx bench/privacy-flags.mts 10000`
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { studyReport } from '../src/server/studio/common.js';
import { checkDefinition } from '../src/server/studio/definition.js';
import { FlagCollector, flagsOf, viewerSelection } from '../src/server/studio/review.js';
import { openStore } from '../src/store/index.js';

const file = join(mkdtempSync(join(tmpdir(), 'nabz-flags-')), 'db.sqlite');
const store = await openStore({ kind: 'sqlite', file });
const created = await store.users.create({ email: 'o@example.org', displayName: 'O', passwordHash: 'x' });
if (!created.ok) throw new Error('could not create the owner');
const owner = created.value;
const def = JSON.parse(
  readFileSync(new URL('../examples/bace-medical-students/study.json', import.meta.url), 'utf8'),
);
def.instruments = def.instruments.map((i: Record<string, unknown>) => ({
  ...i,
  termsAcknowledged: { by: 'O', at: '2025-01-01' },
}));
const study = await store.studies.create({ title: 'B', ownerId: owner.id, definition: def });
await store.studies.setStatus({ studyId: study.id, status: 'open' });
const N = Number(process.argv[2] ?? 10000);
let seed = 1;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
for (let i = 0; i < N; i++) {
  const answers: Record<string, unknown> = { year: { kind: 'value', value: 1 + Math.floor(rnd() * 5) } };
  for (let j = 1; j <= 30; j++)
    answers[`bace3_${String(j).padStart(2, '0')}`] = { kind: 'value', value: Math.floor(rnd() * 4) };
  await store.responses.insert({ studyId: study.id, idempotencyKey: `k${i}`, answers, language: 'en' });
}
const fresh = (await store.studies.byId(study.id))!;
const checked = checkDefinition(fresh.definition);
if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
const time = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};
for (let rep = 0; rep < 5; rep++) {
  const plain = await time(() => studyReport(store, fresh, checked.value.resolved, [], 'bench'));
  const c = new FlagCollector();
  const withFlags = await time(async () => {
    await studyReport(store, fresh, checked.value.resolved, [], 'bench', undefined, (a) => c.push(a));
    await c.finish(store, study.id);
  });
  console.log(
    `owner page analysis: report ${plain.toFixed(0)} ms, report + flags in one pass ${withFlags.toFixed(0)} ms (+${((100 * (withFlags - plain)) / plain).toFixed(0)}%)`,
  );
}
for (let rep = 0; rep < 3; rep++) {
  const report = await time(() => studyReport(store, fresh, checked.value.resolved, [], 'bench'));
  let flags: Awaited<ReturnType<typeof flagsOf>> | undefined;
  const f = await time(async () => {
    flags = await flagsOf(store, study.id);
  });
  const sel = await time(async () => viewerSelection(flags!, 5));
  console.log(
    `n=${N} report ${report.toFixed(0)} ms · flagsOf ${f.toFixed(0)} ms (${((100 * f) / report).toFixed(0)}% of the report) · selection ${sel.toFixed(1)} ms · flagged ${flags!.bursts.flat().length}`,
  );
}
const { BurstDetector } = await import('../src/core/privacy/bursts.js');
for (let rep = 0; rep < 3; rep++) {
  const all: unknown[] = [];
  const it = await time(async () => {
    for await (const r of store.responses.iterate(study.id)) all.push(r.answers);
  });
  const d = new BurstDetector();
  const det = await time(async () => {
    for (const a of all) d.push(a);
  });
  console.log(`iterate ${it.toFixed(0)} ms · detect ${det.toFixed(0)} ms`);
}
await store.close();
rmSync(join(file, '..'), { recursive: true, force: true });
