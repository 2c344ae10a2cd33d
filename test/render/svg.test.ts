import { describe, expect, it } from 'vitest';
import type { FigureSpec } from '../../src/core/report/spec.js';
import { figureToVegaLite, renderFigureSvg, renderFiguresSvg } from '../../src/render/svg.js';
import { FORMULA, fixtureReport, XSS } from './fixture.js';
import { parseXml } from './xml.js';

function figure(): FigureSpec {
  const b = fixtureReport().sections[1]!.blocks[1]!;
  if (b.type !== 'figure') throw new Error('fixture changed');
  return b;
}

describe('figureToVegaLite', () => {
  it('keeps our sort and value labels, and passes labels as data only', () => {
    const spec = figureToVegaLite(figure()) as unknown as {
      data: { values: { axisLabel: string; valueLabel: string; value: number; description: string }[] };
      encoding: { y: { sort: unknown; axis: { labelExpr: string } } };
    };
    expect(spec.encoding.y.sort).toBeNull();
    expect(spec.data.values.map((v) => v.valueLabel)).toEqual(['53.5%', '44.7%', '41.9%', '39.2%', '36.4%']);
    expect(spec.data.values[0]!.description).toBe('Difficulty taking time off work: 53.5% (116/217)');
    expect(spec.data.values[3]!.axisLabel).toBe(
      'Not willing to\nreport/mention a mental\nhealth problem in my medical\nrecords',
    );
    // expressions never contain user text
    expect(spec.encoding.y.axis.labelExpr).toBe("split(datum.value, '\\n')");
    expect(JSON.stringify(spec)).not.toMatch(/"url"/);
  });
});

describe('renderFigureSvg', () => {
  it('is well-formed XML with the bars, their labels and values, in descending order', async () => {
    const svg = await renderFigureSvg(figure());
    const doc = parseXml(svg);
    expect(doc.elements[0]!.name).toBe('svg');
    expect(doc.elements[0]!.attributes.role).toBe('img');
    expect(doc.elements[0]!.attributes['aria-label']).toBe('Top 5 barriers');
    expect(doc.elements[1]!.name).toBe('title');
    const t = doc.text;
    const order = [
      'Difficulty taking time off work',
      'Wanting to solve the problem on my own',
      'Preferring alternative care',
      'Concern that I might be considered crazy',
    ];
    const at = order.map((s) => t.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const v of ['53.5%', '44.7%', '41.9%', '39.2%', '36.4%']) expect(t).toContain(v);
    expect(t).toContain('Respondents endorsing (%)');
    // bars: one path per datum in the bar mark group, with an accessible label
    const bars = doc.elements.filter((e) => e.attributes['aria-roledescription'] === 'bar');
    expect(bars.map((b) => b.attributes['aria-label'])).toEqual([
      expect.stringContaining('Difficulty taking time off work: 53.5% (116/217)'),
      expect.stringContaining('Wanting to solve the problem on my own: 44.7% (97/217)'),
      expect.stringContaining(`Preferring alternative care ${XSS}: 41.9% (91/217)`),
      expect.stringContaining(
        'Not willing to report/mention a mental health problem in my medical records: 39.2% (85/217)',
      ),
      expect.stringContaining('Concern that I might be considered crazy: 36.4% (79/217)'),
    ]);
  });

  it('escapes hostile labels and fetches nothing', async () => {
    const f = figure();
    f.title = `Top ${XSS}`;
    f.data.push({ category: FORMULA, value: 0.9 });
    f.data.push({ category: 'a & b <c> "d"', value: 0.8 });
    const svg = await renderFigureSvg(f);
    expect(svg).not.toMatch(/<script/i);
    const doc = parseXml(svg);
    expect(doc.elements.some((e) => e.name === 'script' || e.name === 'foreignObject')).toBe(false);
    expect(doc.text).toContain(`Top ${XSS}`);
    expect(doc.text).toContain('a & b <c> "d"');
    expect(doc.text).toContain(FORMULA.slice(0, 28)); // the 41-character word is broken over two lines
    for (const e of doc.elements) {
      for (const [k, v] of Object.entries(e.attributes)) {
        if (k === 'xmlns' || k === 'xmlns:xlink') continue;
        expect(k.toLowerCase()).not.toMatch(/^on|href$/);
        expect(v).not.toMatch(/^(javascript|data|https?):/i);
      }
    }
  });

  it('centres wrapped axis labels on their band: no line runs into the next bar (1- to 3-line labels)', async () => {
    const f = figure();
    f.sort = 'data';
    f.data = [
      { category: 'Short', value: 0.5 },
      { category: `${'word '.repeat(14)}end`, value: 0.4 }, // 3 lines of ≤ 28 characters
      { category: 'Also short', value: 0.3 },
      { category: `${'two '.repeat(12)}lines`, value: 0.2 },
    ];
    const svg = await renderFigureSvg(f);
    // bars, top to bottom: their vertical centres give the band centres and the band step
    const bars = [...svg.matchAll(/aria-roledescription="bar" d="M[\d.]+,([\d.]+)h[\d.]+v([\d.]+)/g)].map(
      (m) => Number(m[1]) + Number(m[2]) / 2,
    );
    expect(bars).toHaveLength(4);
    const step = bars[1]! - bars[0]!;
    // y-axis labels: text-anchor end at x = -2, one tspan per line after the first, 13 px apart
    const group = /role-axis-label" pointer-events="none">(<text text-anchor="end".*?)<\/g>/.exec(svg)![1]!;
    const labels = [
      ...group.matchAll(/<text[^>]*translate\(-2,([\d.]+)\)[^>]*font-size="(\d+)px"[^>]*>(.*?)<\/text>/g),
    ];
    expect(labels).toHaveLength(4);
    expect(labels.map((l) => Math.max(1, (l[3]!.match(/<tspan/g) ?? []).length))).toEqual([1, 3, 1, 2]);
    labels.forEach((l, i) => {
      const lines = Math.max(1, (l[3]!.match(/<tspan/g) ?? []).length);
      const size = Number(l[2]);
      const top = Number(l[1]) - size; // first baseline minus a full em (ascent is less)
      const bottom = Number(l[1]) + (lines - 1) * 13 + size * 0.3; // last baseline plus descent
      expect(top, `label ${i} top`).toBeGreaterThanOrEqual(bars[i]! - step / 2);
      expect(bottom, `label ${i} bottom`).toBeLessThanOrEqual(bars[i]! + step / 2);
    });
  });

  it('renders every figure of a report by file name', async () => {
    const m = await renderFiguresSvg(fixtureReport());
    expect([...m.keys()]).toEqual(['top-barriers.svg']);
  });
});
