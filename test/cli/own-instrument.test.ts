/**
 * Own instruments as data files, through the built `nabz` command: the example study
 * (examples/help-seeking-attitudes) references hsa.instrument.json — a 10-item Likert scale with items 4
 * and 8 reverse keyed — and its scores agree with R (test/goldens/r/example_own_instrument.R). Errors in an
 * instrument file name the file, the JSON path and the fix.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectDigits } from '../helpers/accuracy.js';
import { nabz, root } from '../helpers/nabz.js';

const example = join(root, 'examples', 'help-seeking-attitudes');
const responses = join(example, 'responses.csv');
const insFile = join(example, 'hsa.instrument.json');
const golden = JSON.parse(
  readFileSync(join(root, 'test', 'goldens', 'example_own_instrument.json'), 'utf8'),
) as Record<string, number>;
const g = (k: string): number => {
  const v = golden[k];
  if (v === undefined) throw new Error(`golden ${k} missing`);
  return v;
};

type Cell = { kind: string; value?: number };
type Block = { type: string; id?: string; rows?: { kind: string; cells: Record<string, Cell> }[] };
function rows(report: { sections: { blocks: Block[] }[] }, id: string) {
  for (const s of report.sections)
    for (const b of s.blocks)
      if (b.type === 'table' && b.id === id) return (b.rows ?? []).filter((r) => r.kind === 'data');
  throw new Error(`no table ${id}`);
}
function num(c: Cell | undefined): number {
  if (c?.kind !== 'number' || c.value === undefined) throw new Error(`not a number: ${JSON.stringify(c)}`);
  return c.value;
}

describe('own instrument files', () => {
  it('a study using {"file": …} analyses like a library instrument: scores, Welch t and keyed alpha agree with R', () => {
    const r = nabz('analyze', responses, '--study', join(example, 'study.json'), '--format', 'json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    const desc = rows(report, 'hsa_scores');
    ['hsa_mean', 'hsa_total'].forEach((k, i) => {
      expect(num(desc[i]!.cells.n)).toBe(g(`desc.${k}.n`));
      expectDigits(num(desc[i]!.cells.mean), g(`desc.${k}.mean`), 12, `${k} mean`);
      expectDigits(num(desc[i]!.cells.sd), g(`desc.${k}.sd`), 12, `${k} sd`);
    });
    const tt = rows(report, 'ttest_year');
    ['hsa_mean', 'hsa_total'].forEach((k, i) => {
      const welch = tt[2 * i + 1]!.cells;
      expectDigits(num(welch.t), g(`welch.${k}.t`), 12, `${k} Welch t`);
      expectDigits(num(welch.p), g(`welch.${k}.p`), 11, `${k} Welch p`);
    });
    // Cronbach's alpha on the keyed items (psych::alpha with keys = items 4 and 8, listwise), item by item.
    const rel = rows(report, 'reliability');
    for (const row of rel) {
      expect(num(row.cells.n)).toBe(g('alpha.keyed.n'));
      expectDigits(num(row.cells.alpha), g('alpha.keyed.alpha'), 12, 'keyed alpha');
      expect(Math.abs(num(row.cells.alpha) - g('alpha.unkeyed.alpha'))).toBeGreaterThan(0.1);
    }
    const itemTotal = rows(report, 'hsa_mean_item_total');
    expect(itemTotal).toHaveLength(10);
    itemTotal.forEach((row, k) => {
      const id = `hsa_${String(k + 1).padStart(2, '0')}`;
      expectDigits(num(row.cells.r), g(`rdrop.${id}`), 12, `${id} corrected item-total r`);
      expectDigits(num(row.cells.alpha), g(`alphadrop.${id}`), 12, `${id} alpha if deleted`);
    });
    // Bands of an own score are reported as for a library score.
    expect(rows(report, 'hsa_mean_bands')).toHaveLength(3);
    expect(report.scoringNote).toMatch(/HSA-10/);
  });

  it('--instrument FILE scores each respondent with the reverse keys (nabz score)', () => {
    const r = nabz('score', responses, '--instrument', insFile);
    expect(r.code, r.err).toBe(0);
    const [head, first] = r.out.split('\n');
    expect(head).toBe('row,hsa_mean,hsa_mean_band,hsa_mean_n,hsa_total,hsa_total_n');
    const cells = first!.split(',');
    expectDigits(Number(cells[1]), g('score.row1.hsa_mean'), 15, 'row 1 mean');
    expect(Number(cells[4])).toBe(g('score.row1.hsa_total'));
    // Row 1 answered "Disagree" (2) to both reversed items: unreversed its mean would be 3.4, not 3.8.
    expect(Number(cells[1])).not.toBe(3.4);
  });

  it('simulate --instrument FILE writes an export that analyze --instrument FILE reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-own-'));
    const csv = join(dir, 'sim.csv');
    const s = nabz('simulate', '--instrument', insFile, '--n', '40', '--seed', '3', '--out', csv);
    expect(s.code, s.err).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toMatch(
      /^Timestamp,Attitudes to seeking mental-health help \(example own scale\) \[Talking to a professional/,
    );
    const a = nabz('analyze', csv, '--instrument', insFile, '--format', 'json');
    expect(a.code, a.err).toBe(0);
    expect(num(rows(JSON.parse(a.out), 'hsa_scores')[0]!.cells.n)).toBe(40);
  });

  it('instruments show FILE prints the definition with its defaults', () => {
    const r = nabz('instruments', 'show', insFile);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/HSA-10\) — id hsa, version 1/);
    expect(r.out).toMatch(/hsa_04 .*\[reverse\]/);
    expect(r.out).toMatch(/Licence: Own instrument of the study team/);
    expect(r.out).toMatch(/Item text is in the definition/);
  });

  it('a bad instrument file is refused naming the file, the JSON path and the fix; nothing is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-own-'));
    const def = JSON.parse(readFileSync(insFile, 'utf8'));
    def.items[3].reversed = def.items[3].reverse;
    delete def.items[3].reverse;
    def.scores[0].items[9] = 'hsa_11';
    writeFileSync(join(dir, 'hsa.instrument.json'), JSON.stringify(def));
    const study = JSON.parse(readFileSync(join(example, 'study.json'), 'utf8'));
    writeFileSync(join(dir, 'study.json'), JSON.stringify(study));
    const out = join(dir, 'out');
    const r = nabz('analyze', responses, '--study', join(dir, 'study.json'), '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`Instrument file "${join(dir, 'hsa.instrument.json')}" (instruments[0].file of`);
    expect(r.err).toMatch(/items\[3\]\.reversed: "reversed" is not a field here; did you mean "reverse"\?/);
    expect(r.err).toMatch(/scores\[0\]\.items\[9\]: score "hsa_mean" uses unknown item "hsa_11"/);
    expect(existsSync(out)).toBe(false);
    // A misspelt key in the study file itself is refused too (it would silently change the analysis).
    const typo = { ...study, instruments: [{ file: 'hsa.instrument.json', officialScore: false }] };
    typo.analysis = { ...study.analysis, groupby: ['year'] };
    writeFileSync(join(dir, 'typo.json'), JSON.stringify(typo));
    const rt = nabz('analyze', responses, '--study', join(dir, 'typo.json'));
    expect(rt.code).toBe(1);
    expect(rt.err).toMatch(
      /instruments\[0\]\.officialScore: "officialScore" is not a field here; did you mean "officialScores"\?/,
    );
    expect(rt.err).toMatch(/analysis\.groupby: .*did you mean "groupBy"\?/);
    const r2 = nabz('analyze', responses, '--instrument', join(dir, 'missing.instrument.json'));
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/Cannot read instrument file ".*missing.instrument.json": ENOENT/);
    // An own instrument may not take a library id.
    writeFileSync(
      join(dir, 'phq9.json'),
      JSON.stringify({ ...JSON.parse(readFileSync(insFile, 'utf8')), id: 'phq9' }),
    );
    const r3 = nabz('score', responses, '--instrument', join(dir, 'phq9.json'));
    expect(r3.code).toBe(1);
    expect(r3.err).toMatch(
      /own instrument id "phq9" is the id of the library instrument PHQ-9; rename your instrument/,
    );
  });
});
