import { describe, expect, it } from 'vitest';
import { displayWidth, wrap } from '../../src/render/common.js';
import { renderText, wantsColor } from '../../src/render/text.js';
import { FORMULA, fixtureReport, XSS } from './fixture.js';

describe('renderText', () => {
  const out = renderText(fixtureReport());
  const lines = out.split('\n');

  it('fits in 100 columns and uses no colour by default', () => {
    const widest = Math.max(...lines.map(displayWidth));
    expect(widest).toBeLessThanOrEqual(100);
    expect(out).not.toContain('\u001b');
  });

  it('prints title, scoring note, numbered tables and figures', () => {
    expect(lines[0]).toBe('Barriers to care among medical students');
    expect(out).toMatch(/^Scoring: study-defined domains, not official BACE v3 subscales:/m);
    expect(out).toMatch(/^Table 1\. Participants$/m);
    expect(out).toMatch(/^Table 2\. Barriers rated "quite a lot" or "a lot"$/m);
    expect(out).toMatch(/^Figure 1\. Top 5 barriers$/m);
    expect(out).toMatch(/^Table 5\. Domain scores by level of training$/m);
  });

  it('aligns rows: labels left, numbers right, group headers and indentation', () => {
    expect(out).toMatch(/^Stigma-related barriers$/m);
    expect(out).toMatch(/^ {2}Difficulty taking time off work +116 +217 +53\.5%$/m);
    expect(out).toMatch(/^ {2}Cost of care +0 +0 +not computable$/m);
    expect(out).toMatch(/^Attitudinal barriers +≥ 1\.5 +61 +217 +28\.1% +\[22\.6%, 34\.4%\]$/m);
    expect(out).toMatch(
      /^Instrumental +Postgraduate +158 +1\.09 +0\.53 +2\.28 +101\.87 +\.025 +0\.35 +\[0\.05, 0\.65\]$/m,
    );
    // right alignment: the % column ends at the same place on every row of Table 2
    const t2start = lines.indexOf('Table 2. Barriers rated "quite a lot" or "a lot"');
    const t2 = lines
      .slice(t2start, lines.indexOf('Figure 1. Top 5 barriers'))
      .filter((l) => / \d+\.\d%$/.test(l));
    expect(t2.length).toBe(8);
    expect(new Set(t2.map((l) => l.length)).size).toBe(1);
  });

  it('prints notes with denominators and not-computable reasons', () => {
    expect(out).toMatch(/^Note\. n: respondents endorsing the item/m);
    expect(out).toMatch(
      /Not computable: no respondent answered this item \(Instrumental barriers, Cost of care: %\)\./,
    );
    expect(out).toMatch(
      /Not computable: fewer than 2 respondents in the group \(Stigma related, Undergraduate: SD\)\./,
    );
  });

  it('draws the figure as text bars, sorted descending, with value labels', () => {
    const bars = lines.filter((l) => / #+ +\d+\.\d%$/.test(l));
    expect(bars.map((l) => l.match(/(\d+\.\d)%$/)![1])).toEqual(['53.5', '44.7', '41.9', '39.2', '36.4']);
    expect(bars[0]).toMatch(/^Difficulty taking time off work/);
    const len = (l: string) => l.match(/#+/)![0].length;
    expect(len(bars[0]!)).toBeGreaterThan(len(bars[4]!));
  });

  it('keeps hostile labels as inert text', () => {
    expect(out).toContain(FORMULA);
    expect(out.replace(/\s+/g, ' ')).toContain(XSS);
  });

  it('scrubs control characters and colours only on request', () => {
    const r = fixtureReport();
    r.title = 'Evil \u001b[31mred\u001b[0m title\u0007';
    const plain = renderText(r);
    const controls = [...plain].filter((c) => (c < ' ' && c !== '\n') || c === '\u007f');
    expect(controls).toEqual([]);
    expect(plain.split('\n')[0]).toBe('Evil \uFFFD[31mred\uFFFD[0m title\uFFFD');
    const coloured = renderText(fixtureReport(), { color: true });
    expect(coloured).toContain('\u001b[1mTable 1. Participants\u001b[22m');
  });

  it('wraps to narrower widths', () => {
    // the item table and the figure fit in 60 columns (a 10-column comparison table cannot, and may overflow)
    const r = fixtureReport();
    r.sections = r.sections.filter((s) => s.id === 'endorsement');
    const narrow = renderText(r, { width: 60 });
    const over = narrow.split('\n').filter((l) => displayWidth(l) > 60);
    expect(over).toEqual([]);
    expect(narrow).toMatch(/^ {2}Difficulty taking time off work +116 +217 +53\.5%$/m);
  });

  it('matches the committed layout', async () => {
    await expect(out).toMatchFileSnapshot('./__snapshots__/fixture.txt');
  });
});

describe('wrap', () => {
  it('wraps at spaces and breaks words longer than a line', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('', 4)).toEqual(['']);
  });
});

describe('wantsColor', () => {
  it('colours only a TTY, honouring NO_COLOR, TERM=dumb and FORCE_COLOR', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(true);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
  });
});
