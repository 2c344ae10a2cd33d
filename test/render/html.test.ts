import { describe, expect, it } from 'vitest';
import { renderHtml, renderHtmlDocument, renderHtmlFragment } from '../../src/render/html.js';
import { FORMULA, fixtureReport, XSS } from './fixture.js';
import { parseXml, type XmlDocument } from './xml.js';

const PLACEHOLDER = new Map([
  [
    'top-barriers.svg',
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="stub"><title>stub</title></svg>',
  ],
]);

function children(doc: XmlDocument, index: number): number[] {
  // indices of the direct children of element `index`
  const depth = doc.elements[index]!.depth;
  const out: number[] = [];
  for (let i = index + 1; i < doc.elements.length && doc.elements[i]!.depth > depth; i++) {
    if (doc.elements[i]!.depth === depth + 1) out.push(i);
  }
  return out;
}

describe('renderHtml', async () => {
  const html = await renderHtml(fixtureReport());
  const doc = parseXml(html);
  const els = doc.elements;

  it('is one well-formed document with lang and dir', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en" dir="ltr">')).toBe(true);
    expect(els[0]!.name).toBe('html');
    const r = fixtureReport();
    r.language = 'ur';
    const ur = parseXml(renderHtmlDocument(r, PLACEHOLDER));
    expect(ur.elements[0]!.attributes).toEqual({ lang: 'ur', dir: 'rtl' });
  });

  it('is self-contained: no scripts, no external resources, a restrictive CSP', () => {
    expect(
      els.some((e) => e.name === 'script' || e.name === 'link' || e.name === 'iframe' || e.name === 'img'),
    ).toBe(false);
    for (const e of els) {
      for (const [k, v] of Object.entries(e.attributes)) {
        expect(k).not.toMatch(/^(src|href|xlink:href|on.*)$/i);
        if (!k.startsWith('xmlns')) expect(v).not.toMatch(/^(https?|javascript):/i);
      }
    }
    const style = html.slice(html.indexOf('<style>'), html.indexOf('</style>'));
    expect(style).not.toMatch(/url\(|@import/);
    expect(style).toMatch(/@media print/);
    const csp = els.find((e) => e.attributes['http-equiv'] === 'Content-Security-Policy');
    expect(csp?.attributes.content).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  });

  it('marks tables up accessibly', () => {
    const tables = els.map((e, i) => ({ e, i })).filter(({ e }) => e.name === 'table');
    expect(tables).toHaveLength(6); // 5 tables + the figure's data table
    for (const { i } of tables) {
      const kids = children(doc, i).map((k) => els[k]!.name);
      expect(kids[0]).toBe('caption');
      expect(kids[1]).toBe('thead');
    }
    const headers = els.filter((e) => e.name === 'th');
    expect(headers.every((h) => ['col', 'row', 'rowgroup'].includes(h.attributes.scope ?? ''))).toBe(true);
    const groups = headers.filter((h) => h.attributes.scope === 'rowgroup');
    expect(groups.map((g) => g.attributes.colspan)).toEqual(['3', '3', '4', '4', '4']);
    // each data row starts with a row header
    for (let i = 0; i < els.length; i++) {
      if (els[i]!.name !== 'tr') continue;
      const first = els[children(doc, i)[0]!]!;
      expect(first.name).toBe('th');
    }
  });

  it('contains captions, cells and notes as every renderer prints them', () => {
    const text = doc.text;
    expect(text).toContain('Table 2. Barriers rated "quite a lot" or "a lot"');
    expect(html).toContain(
      '<th scope="row" class="l i1" dir="auto">Difficulty taking time off work</th><td class="r">116</td><td class="r">217</td><td class="r">53.5%</td>',
    );
    expect(html).toContain('<td class="r nc">not computable</td>');
    expect(text).toContain(
      'Not computable: no respondent answered this item (Instrumental barriers, Cost of care: %).',
    );
    expect(text).toContain('Scoring: study-defined domains, not official BACE v3 subscales');
    expect(text).toContain('[22.6%, 34.4%]');
    expect(text).toContain('.025');
  });

  it('embeds the figure as inline SVG with a caption and a data table', () => {
    const fig = els.findIndex((e) => e.name === 'figure');
    expect(els[fig]!.attributes).toEqual({
      id: 'figure-top-barriers',
      'aria-labelledby': 'figure-top-barriers-caption',
    });
    const names = els.slice(fig).map((e) => e.name);
    expect(names).toContain('svg');
    expect(names).toContain('figcaption');
    expect(names).toContain('details');
    expect(html).toContain(
      '<figcaption id="figure-top-barriers-caption"><span class="label">Figure 1.</span> <span class="title">Top 5 barriers</span>. Barriers rated &quot;quite a lot&quot; or &quot;a lot&quot;.</figcaption>',
    );
    expect(doc.text).toContain('Difficulty taking time off work 53.5% 116/217');
  });

  it('escapes hostile labels', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Preferring alternative care &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(doc.text).toContain(`Preferring alternative care ${XSS}`);
    expect(doc.text).toContain(FORMULA);
    const r = fixtureReport();
    r.title = `</title><script>alert(1)</script>`;
    r.generatedBy = '"><img src=x onerror=alert(1)>';
    const evil = renderHtmlDocument(r, PLACEHOLDER);
    expect(evil).not.toMatch(/<script|<img/i);
    expect(() => parseXml(evil)).not.toThrow();
  });

  it('matches the committed layout (figure SVG stubbed)', async () => {
    await expect(renderHtmlDocument(fixtureReport(), PLACEHOLDER)).toMatchFileSnapshot(
      './__snapshots__/fixture.html.txt',
    );
  });
});

describe('renderHtmlFragment (the studio analysis page embeds it)', () => {
  const report = fixtureReport();
  const fragment = renderHtmlFragment(report, PLACEHOLDER);
  const documentHtml = renderHtmlDocument(report, PLACEHOLDER);

  it('is one well-formed <div class="report"> without the title, stylesheet or CSP meta tag', () => {
    const doc = parseXml(fragment);
    expect(doc.elements[0]).toMatchObject({ name: 'div', attributes: { class: 'report' }, depth: 0 });
    expect(doc.elements.filter((e) => e.depth === 0)).toHaveLength(1);
    for (const name of ['html', 'head', 'meta', 'style', 'h1', 'script'])
      expect(
        doc.elements.some((e) => e.name === name),
        name,
      ).toBe(false);
  });

  it('holds exactly the document body less its title: meta lines and every section', () => {
    const inner = fragment.slice('<div class="report">'.length, -'</div>'.length).trim();
    const body = /<header>\n<h1>[^\n]*<\/h1>\n([\s\S]*?)\n<\/header>\n<main>\n([\s\S]*?)\n<\/main>/.exec(
      documentHtml,
    )!;
    expect(inner).toBe(`${body[1]}\n${body[2]}`);
    expect(fragment).toContain(PLACEHOLDER.get('top-barriers.svg'));
    expect(fragment).not.toContain(XSS);
  });
});
