/**
 * `nabz score FILE (--study STUDY | --instrument ID|FILE) --out FILE.csv`: the scored dataset — one row per
 * respondent with every score, its band, the number of items it used, and the safety flags.
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { at } from '../../core/stats/at.js';
import { csvField } from '../../render/csv.js';
import { parse } from '../args.js';
import { usageError } from '../errors.js';
import { importAndScore } from '../pipeline.js';
import { loadStudy, studySource } from '../study.js';

const USAGE = `Usage: nabz score FILE (--study STUDY.json | --instrument ID|FILE) [--out SCORED.csv] [--mapping MAP.json] [--sheet NAME]
                  [--write-mapping FILE] [--allow-missing]

Writes one row per respondent (in file order): row number, then for each score its value, its band and the
number of items it used (n), then one 0/1 column per safety rule. Empty cells are scores that could not be
computed (too few items answered); the reason per score is summarised on standard error.
A file that leaves instrument items without a column is refused with the closest columns for each
(--write-mapping FILE writes them as a mapping file to review); --allow-missing scores from the items present.`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      study: { type: 'string' },
      instrument: { type: 'string' },
      out: { type: 'string' },
      mapping: { type: 'string' },
      sheet: { type: 'string' },
      'allow-missing': { type: 'boolean' },
      'write-mapping': { type: 'string' },
    },
    USAGE,
  );
  const file = positionals[0];
  if (!file) throw usageError('the responses file is missing', USAGE);
  const source = studySource(values, USAGE);
  const resolved = loadStudy(source);
  const { scored } = await importAndScore(file, resolved, {
    mappingFile: values.mapping,
    sheet: values.sheet,
    allowMissing: values['allow-missing'] ?? false,
    writeMapping: values['write-mapping'],
    groupBy: [],
  });
  const header = ['row'];
  for (const s of scored.scores) {
    header.push(s.id);
    if (s.def.bands?.length) header.push(`${s.id}_band`);
    header.push(`${s.id}_n`);
  }
  for (const f of scored.safety) header.push(`flag_${f.id}`);
  const fd = values.out ? openSync(values.out, 'w') : 1;
  let buf = `${header.map(csvField).join(',')}\n`;
  for (let i = 0; i < scored.n; i++) {
    const cells: string[] = [String(i + 2)];
    for (const s of scored.scores) {
      const v = at(s.values, i);
      cells.push(Number.isNaN(v) ? '' : String(v));
      if (s.def.bands?.length) {
        const b = at(s.band, i);
        cells.push(b >= 0 ? csvField(at(s.def.bands, b).label.en ?? String(b)) : '');
      }
      cells.push(String(s.nAnswered[i]));
    }
    for (const f of scored.safety) cells.push(String(f.flags[i]));
    buf += `${cells.join(',')}\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  if (values.out) closeSync(fd);
  for (const p of scored.report.perScore) {
    const items = scored.scores.find((s) => s.id === p.id)?.def.items.length ?? 0;
    const present = p.missingColumns.length
      ? `; ${items - p.missingColumns.length} of ${items} items present (no column: ${p.missingColumns.join(', ')})`
      : '';
    process.stderr.write(
      `${p.id}: ${p.computed} computed, ${p.noneAnswered} with no item answered, ${p.tooFewAnswered} with too few items (min ${p.minAnswered})${present}\n`,
    );
  }
  if (values.out) process.stderr.write(`wrote ${scored.n} scored rows to ${values.out}\n`);
}
