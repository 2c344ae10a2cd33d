import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { tableNotes } from '../../src/core/report/display.js';
import { reportBlocks, type TableSpec } from '../../src/core/report/spec.js';
import { csvField, neutralizeFormula, renderTablesCsv, tableCsv } from '../../src/render/csv.js';
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

  it('appends the notes as "Note: …" records of the table\'s width only when asked', () => {
    const table = [...reportBlocks(fixtureReport())]
      .map((b) => b.block)
      .find((b): b is TableSpec => b.type === 'table' && b.id === 'endorsement')!;
    const notes = tableNotes(table);
    // the fixture has a denominator and a not-computable cell, so there is something to print
    expect(notes.some((n) => n.startsWith('Not computable:'))).toBe(true);
    const plain = parse(tableCsv(table)) as string[][];
    expect(plain).toHaveLength(10);
    expect(plain.some((r) => r[0]!.startsWith('Note: '))).toBe(false);
    const hostile = { ...table, notes: [...table.notes, '=1+1 is, "quoted"'] };
    const rows = parse(tableCsv(hostile, { notes: true })) as string[][];
    expect(rows.slice(0, 10)).toEqual(plain);
    // the hostile note comes out as data (quoted, and not a formula since it starts with "Note: ")
    expect(rows.slice(10)).toEqual(tableNotes(hostile).map((n) => [`Note: ${n}`, '', '', '', '']));
    expect(rows.slice(10).map((r) => r[0])).toContain('Note: =1+1 is, "quoted"');
    expect(rows).toHaveLength(10 + notes.length + 1);
  });
});
