/**
 * The item endorsement table shows every item of the instrument, grouped by subscale (official) or by the study's
 * domains where an item has one, and in an "Other items" group otherwise — a BACE study without domains used to
 * show only the 12 treatment-stigma items of its 30.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableSpec } from '../../src/core/report/spec.js';
import { getInstrument } from '../../src/instruments/index.js';
import { analyzeFile, table } from './helpers.js';

const example = join(__dirname, '..', '..', 'examples', 'bace-medical-students');
const exampleStudy = JSON.parse(readFileSync(join(example, 'study.json'), 'utf8'));
const csv = join(example, 'responses.csv');
const bace = getInstrument('bace3')!;
const itemText = new Map(bace.items.map((it) => [it.text!.en!, it.id]));

/** Group label → the item ids listed under it, in table order. */
function groups(t: TableSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const r of t.rows) {
    if (r.kind === 'group') {
      current = [];
      out.set(r.label, current);
    } else if (r.kind === 'data' && r.cells.item?.kind === 'text') {
      const id = itemText.get(r.cells.item.text);
      if (!id) throw new Error(`unknown item label ${r.cells.item.text}`);
      current.push(id);
    }
  }
  return out;
}

function withDomains(domains: unknown[]) {
  const study = structuredClone(exampleStudy);
  study.instruments[0].domains = domains;
  study.analysis.thresholds = []; // they name the example's domains
  study.analysis.models = []; // so do its models
  study.analysis.combined = []; // its combined score
  study.analysis.associations = []; // and its associations
  return study;
}

describe('item endorsement table: every item appears', () => {
  it('BACE without study domains: the 12 treatment-stigma items, then the other 18', async () => {
    const { report } = await analyzeFile(withDomains([]), csv);
    const g = groups(table(report, 'bace3_endorsement'));
    const stigma = bace.scores.find((s) => s.id === 'bace3_stigma')!.items;
    expect([...g.keys()]).toEqual([
      bace.scores.find((s) => s.id === 'bace3_stigma')!.label.en,
      'Other items',
    ]);
    expect([...g.values()][0]!.slice().sort()).toEqual([...stigma].sort());
    const other = bace.items.map((it) => it.id).filter((id) => !stigma.includes(id));
    expect(g.get('Other items')!.slice().sort()).toEqual(other.sort());
    expect([...g.values()].flat()).toHaveLength(30);
    expect(table(report, 'bace3_endorsement').notes.join(' ')).toMatch(/Other items: the items in no/);
  });

  it('study domains that leave items out: the rest under "Other items"', async () => {
    const items = ['bace3_01', 'bace3_02', 'bace3_03'];
    const { report } = await analyzeFile(
      withDomains([{ id: 'first3', label: { en: 'First three' }, items, method: 'mean', official: false }]),
      csv,
    );
    const g = groups(table(report, 'bace3_endorsement'));
    expect([...g.keys()]).toEqual(['First three', 'Other items']);
    expect(g.get('First three')!.slice().sort()).toEqual(items);
    expect(g.get('Other items')).toHaveLength(27);
  });

  it('the example study (three domains covering all 30 items) has no "Other items" group', async () => {
    const { report } = await analyzeFile(exampleStudy, csv);
    const g = groups(table(report, 'bace3_endorsement'));
    expect(g.has('Other items')).toBe(false);
    expect([...g.values()].flat().sort()).toEqual(bace.items.map((it) => it.id).sort());
  });
});
