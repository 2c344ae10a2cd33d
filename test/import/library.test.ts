/**
 * The importer on the library's instruments: a Google-Forms-shaped table built from PHQ-9, GAD-7 and BACE v3
 * (one grid per instrument, answers as labels) maps every item without a mapping file and codes each label
 * to the option value it was written from.
 */
import { describe, expect, it } from 'vitest';
import type { Instrument } from '../../src/core/instrument/schema.js';
import { AnswerStatus, type NumericColumn } from '../../src/core/response/dataset.js';
import { importTable } from '../../src/core/response/importer.js';
import { targetsFromStudy } from '../../src/core/response/targets.js';
import { StudySchema } from '../../src/core/study/schema.js';
import { getInstrument } from '../../src/instruments/index.js';

const ids = ['phq9', 'gad7', 'bace3'].filter((id) => getInstrument(id));

describe.skipIf(ids.length === 0)('library instruments through a Google Forms export', () => {
  it('maps every item by its text and codes every label', () => {
    const study = StudySchema.parse({
      id: 's',
      title: 'S',
      instruments: ids.map((instrument) => ({ instrument })),
    });
    const t = targetsFromStudy(study, getInstrument);
    if (!t.ok) throw new Error(JSON.stringify(t.issues));
    const instruments = ids.map((id) => getInstrument(id)!) as Instrument[];
    const items = instruments.flatMap((ins) =>
      ins.items.filter((it) => it.text && it.type === 'scale').map((it) => ({ ins, it })),
    );
    expect(items.length).toBeGreaterThanOrEqual(40);
    const header = ['Timestamp', ...items.map(({ ins, it }) => `${ins.title.en} [${it.text!.en}]`)];
    // Row r answers item k with option (r + k) mod (number of options); rows 3 and 4 use N/A where allowed / skip.
    const expected = new Map<string, [number, number][]>();
    const rows: string[][] = [];
    for (let r = 0; r < 4; r++) {
      const cells = [`2024/03/1${r} 10:00:00 AM GMT+5`];
      items.forEach(({ ins, it }, k) => {
        const scale = ins.scales.find((s) => s.id === it.scale)!;
        const list = expected.get(it.id) ?? [];
        expected.set(it.id, list);
        if (r === 3 && it.notApplicable && scale.notApplicableLabel) {
          cells.push(scale.notApplicableLabel.en!);
          list.push([Number.NaN, AnswerStatus.NOT_APPLICABLE]);
        } else if (r === 3 && k % 5 === 0) {
          cells.push('');
          list.push([Number.NaN, AnswerStatus.SKIPPED]);
        } else {
          const o = scale.options[(r + k) % scale.options.length]!;
          cells.push(o.label.en!);
          list.push([o.value, AnswerStatus.ANSWERED]);
        }
      });
      rows.push(cells);
    }
    const res = importTable(t.value, [header, ...rows]);
    if (!res.ok) throw new Error(res.errors.map((e) => e.message).join('\n'));
    expect(res.mappingReport.ambiguous).toEqual([]);
    expect(res.mappingReport.mapped).toHaveLength(items.length);
    for (const { it } of items) {
      const c = res.dataset.columns.get(it.id) as NumericColumn;
      expect(
        Array.from(c.values, (v, i) => [v, c.status[i]]),
        it.id,
      ).toEqual(expected.get(it.id));
    }
  });
});
