/**
 * A quick check (not a test, not timed in CI) that 1,000,000 rows × 35 columns import in bounded memory.
 *
 *   npx tsx test/import/large-import-check.ts [rows]
 *
 * Writes a Google-Forms-shaped CSV (timestamp, a 30-item grid answered with labels, age, gender, a checkbox
 * question, a free-text column) into a temporary folder, imports it with the progress bar on stderr, prints
 * rows/s and the peak resident memory, and deletes the file.
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstrumentSchema } from '../../src/core/instrument/schema.js';
import { targetsFromStudy } from '../../src/core/response/targets.js';
import { StudySchema } from '../../src/core/study/schema.js';
import { createProgressBar, importResponses } from '../../src/import/index.js';

const N = Number(process.argv[2] ?? 1_000_000);
const ITEMS = 30;
const labels = ['Never', 'Rarely', 'Sometimes', 'Often', 'Always'];
const big = InstrumentSchema.parse({
  id: 'big',
  version: '1',
  title: { en: 'Big' },
  shortTitle: 'BIG',
  citation: 'synthetic',
  licence: { name: 'test', textIncluded: true, terms: 'test', attribution: 'test' },
  languages: ['en'],
  scales: [
    {
      id: 's',
      options: labels.map((l, i) => ({ value: i, label: { en: l } })),
      notApplicableLabel: { en: 'Not applicable' },
    },
  ],
  items: Array.from({ length: ITEMS }, (_, i) => ({
    id: `big_${i + 1}`,
    scale: 's',
    text: { en: `Statement number ${i + 1} about stress` },
    notApplicable: i % 10 === 0,
  })),
});
const study = StudySchema.parse({
  id: 'large',
  title: 'Large',
  instruments: [{ instrument: 'big' }],
  questions: [
    { id: 'age', type: 'number', text: { en: 'Age' }, min: 16, max: 80, integer: true },
    {
      id: 'gender',
      type: 'single',
      text: { en: 'Gender' },
      options: [
        { value: 1, label: { en: 'Female' } },
        { value: 2, label: { en: 'Male' } },
      ],
    },
    {
      id: 'coping',
      type: 'multiple',
      text: { en: 'What helps?' },
      options: [
        { value: 1, label: { en: 'Friends, family' } },
        { value: 2, label: { en: 'Exercise' } },
        { value: 3, label: { en: 'Prayer' } },
      ],
    },
    { id: 'comments', type: 'longtext', text: { en: 'Comments' } },
  ],
});
const t = targetsFromStudy(study, (id) => (id === 'big' ? big : undefined));
if (!t.ok) throw new Error(JSON.stringify(t.issues));

function q(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  const stem = 'How often in the past month';
  const header = [
    'Timestamp',
    ...big.items.map((it) => `${stem} [${it.text!.en}]`),
    'Age',
    'Gender',
    'What helps?',
    'Comments',
  ];
  out.write(`\ufeff${header.map(q).join(',')}\r\n`);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const copes = ['Friends, family', 'Exercise', 'Prayer', 'Friends, family, Prayer', ''];
  let buf = '';
  for (let r = 0; r < N; r++) {
    const cells: string[] = [
      `2024/03/${String(1 + (r % 28)).padStart(2, '0')} ${1 + (r % 12)}:15:23 PM GMT+5`,
    ];
    for (let i = 0; i < ITEMS; i++) {
      const u = rnd();
      cells.push(u < 0.02 ? '' : i % 10 === 0 && u < 0.05 ? 'Not applicable' : labels[Math.floor(u * 5)]!);
    }
    cells.push(
      String(18 + (r % 40)),
      r % 2 ? 'Male' : 'Female',
      q(copes[r % 5]!),
      r % 50 === 0 ? '"line one\nline two"' : '',
    );
    buf += `${cells.join(',')}\r\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'nabz-large-'));
const path = join(dir, 'responses.csv');
try {
  const g0 = performance.now();
  await writeCsv(path);
  const size = statSync(path).size;
  console.error(
    `wrote ${N.toLocaleString('en-US')} rows, ${(size / 1_048_576).toFixed(0)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
  );
  const bar = createProgressBar({ label: 'responses.csv' });
  let peakRss = 0;
  const t0 = performance.now();
  const r = await importResponses(path, t.value, {
    onProgress: (p) => {
      bar.update(p);
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
    },
  });
  bar.finish();
  const mu = process.memoryUsage();
  console.error(
    `after import: rss ${(mu.rss / 1_048_576).toFixed(0)} MB, heap ${(mu.heapUsed / 1_048_576).toFixed(0)} MB, array buffers ${(mu.arrayBuffers / 1_048_576).toFixed(0)} MB`,
  );
  const secs = (performance.now() - t0) / 1000;
  if (!r.ok) {
    console.error(r.errors.slice(0, 5).map((e) => e.message));
    process.exitCode = 1;
  } else {
    const cols = r.dataset.columns.size;
    console.log(
      `imported ${r.rows.toLocaleString('en-US')} rows × ${r.mappingReport.mapped.length + 1} columns (${cols} dataset columns) in ${secs.toFixed(1)} s: ` +
        `${Math.round(r.rows / secs).toLocaleString('en-US')} rows/s, ${(size / 1_048_576 / secs).toFixed(1)} MB/s; ` +
        `peak RSS ${(peakRss / 1_048_576).toFixed(0)} MB (file ${(size / 1_048_576).toFixed(0)} MB)`,
    );
  }
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  else console.error(path);
}
