import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../src/render/markdown.js';
import { FORMULA, fixtureReport } from './fixture.js';

describe('renderMarkdown', () => {
  const md = renderMarkdown(fixtureReport(), { figureHref: (f) => `figures/${f.id}.svg` });
  const lines = md.split('\n');

  it('prints headings, the scoring note and numbered captions', () => {
    expect(lines[0]).toBe('# Barriers to care among medical students');
    expect(md).toMatch(/^Scoring: study-defined domains, not official BACE v3 subscales:/m);
    expect(md).toMatch(/^## Item endorsement$/m);
    expect(md).toMatch(/^\*\*Table 2\.\*\* \*Barriers rated "quite a lot" or "a lot"\*$/m);
  });

  it('writes GitHub tables with alignment, group rows and indentation', () => {
    const i = lines.indexOf('| Item | n | N | % |');
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toBe('|:--|--:|--:|--:|');
    expect(lines[i + 2]).toBe('| **Stigma-related barriers** |   |   |   |');
    expect(lines).toContain(
      '| &nbsp;&nbsp;&nbsp;&nbsp;Difficulty taking time off work | 116 | 217 | 53.5% |',
    );
    expect(lines).toContain('| &nbsp;&nbsp;&nbsp;&nbsp;Cost of care | 0 | 0 | not computable |');
    expect(lines).toContain('| Attitudinal barriers | ≥ 1.5 | 61 | 217 | 28.1% | [22.6%, 34.4%] |');
    expect(lines).toContain(
      '| Instrumental | Postgraduate | 158 | 1.09 | 0.53 | 2.28 | 101.87 | .025 | 0.35 | [0.05, 0.65] |',
    );
    // every row of a table has as many cells as the header
    const table = lines.slice(i, lines.indexOf('', i));
    for (const row of table) expect(row.replace(/\\\|/g, '').split('|').length).toBe(6);
  });

  it('prints notes with denominators and not-computable reasons', () => {
    expect(md).toMatch(/^\*Note\.\* n: respondents endorsing the item/m);
    expect(md).toContain(
      'Not computable: no respondent answered this item (Instrumental barriers, Cost of care: %).',
    );
  });

  it('links the figure image and gives its data as a table, sorted descending', () => {
    expect(lines).toContain('![Top 5 barriers](<figures/top-barriers.svg>)');
    const i = lines.indexOf('| Category | Respondents endorsing (%) | n/N |');
    expect(lines.slice(i + 2, i + 4)).toEqual([
      '| Difficulty taking time off work | 53.5% | 116/217 |',
      '| Wanting to solve the problem on my own | 44.7% | 97/217 |',
    ]);
    expect(renderMarkdown(fixtureReport())).not.toContain('![');
  });

  it('escapes HTML, emphasis, pipes and links in labels', () => {
    expect(md).not.toMatch(/<script/i);
    expect(md).toContain('Preferring alternative care &lt;script>alert("x")&lt;/script>');
    expect(md).toContain(FORMULA); // plain text in Markdown; CSV is where formulas matter
    expect(escapeMarkdown('a|b *c* _d_ `e` ~f~ \\g')).toBe('a\\|b \\*c\\* \\_d\\_ \\`e\\` \\~f\\~ \\\\g');
    expect(escapeMarkdown('[click](javascript:alert(1))')).toBe('[click\\](javascript:alert(1))');
    expect(escapeMarkdown('<img src=x onerror=alert(1)> & &amp; < .001')).toBe(
      '&lt;img src=x onerror=alert(1)> & &amp;amp; < .001',
    );
    expect(escapeMarkdown('line\nbreak')).toBe('line break');
    const r = fixtureReport();
    r.sections[0]!.blocks[0] = { type: 'text', sentences: ['# not a heading', 'x'] };
    expect(renderMarkdown(r)).toMatch(/^\\# not a heading x$/m);
  });

  it('matches the committed layout', async () => {
    await expect(md).toMatchFileSnapshot('./__snapshots__/fixture.md.txt');
  });
});
