import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, neutralizeFormula, renderTablesCsv } from '../../src/render/csv.js';
import { FORMULA, fixtureReport, XSS } from './fixture.js';

describe('renderTablesCsv', () => {
  const files = renderTablesCsv(fixtureReport());

  it('writes one file per table, named by table id, in report order', () => {
    expect([...files.keys()]).toEqual([
      'sample.csv',
      'endorsement.csv',
      'domains.csv',
      'thresholds.csv',
      'by-training.csv',
    ]);
  });

  it('writes RFC 4180 records with CRLF and a Group column for grouped tables', () => {
    const text = files.get('endorsement.csv')!;
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[0]).toBe('Group,Item,n,N,%');
    expect(text.split('\r\n')[1]).toBe(
      'Stigma-related barriers,Not willing to report/mention a mental health problem in my medical records,85,217,39.2%',
    );
    const rows = parse(text, { relaxQuotes: false }) as string[][];
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.length === 5)).toBe(true);
    expect(rows[7]).toEqual([
      'Instrumental barriers',
      'Difficulty taking time off work',
      '116',
      '217',
      '53.5%',
    ]);
    expect(rows[9]).toEqual(['Instrumental barriers', 'Cost of care', '0', '0', 'not computable']);
    // a label with quotes and angle brackets survives as data
    expect(rows.find((r) => r[1]!.startsWith('Preferring'))![1]).toBe(`Preferring alternative care ${XSS}`);
  });

  it('neutralises formula injection but leaves numbers alone', () => {
    const rows = parse(files.get('endorsement.csv')!) as string[][];
    expect(rows.find((r) => r[1]!.includes('HYPERLINK'))![1]).toBe(`'${FORMULA}`);
    expect(files.get('endorsement.csv')).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(files.get('by-training.csv')!.split('\r\n')[1]).toBe(
      'Instrumental,Postgraduate,158,1.09,0.53,2.28,101.87,.025,0.35,"[0.05, 0.65]"',
    );
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1+cmd', "'+1+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['-0.25', '-0.25'],
    ['-.50', '-.50'],
    ['+3', '+3'],
    ['-5.0%', '-5.0%'],
    ['-1e-5', '-1e-5'],
    ['-', "'-"],
    ['< .001', '< .001'],
    ['plain', 'plain'],
  ])('neutralizeFormula(%j) = %j', (input, expected) => {
    expect(neutralizeFormula(input)).toBe(expected);
  });

  it('quotes fields with commas, quotes and line breaks', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField('ok')).toBe('ok');
  });

  it('optionally starts with a BOM and names the group column', () => {
    const f = renderTablesCsv(fixtureReport(), { bom: true, groupHeader: 'Domain' }).get('endorsement.csv')!;
    expect(f.startsWith('\uFEFFDomain,Item,n,N,%\r\n')).toBe(true);
    expect(renderTablesCsv(fixtureReport()).get('domains.csv')!.split('\r\n')[0]).toBe(
      'Domain,n,Mean,SD,Minimum,Maximum,Range',
    );
  });
});
