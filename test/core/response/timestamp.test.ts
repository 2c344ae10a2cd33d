import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../../src/core/response/timestamp.js';

const both = (iso: string) => ({ mdy: Date.parse(iso), dmy: Date.parse(iso) });

describe('parseTimestamp', () => {
  it('reads Google Forms CSV downloads with AM/PM and GMT offsets', () => {
    expect(parseTimestamp('2024/03/14 10:15:23 AM GMT+5')).toEqual(both('2024-03-14T05:15:23Z'));
    expect(parseTimestamp('2024/03/14 12:05:00 am GMT+5:30')).toEqual(both('2024-03-13T18:35:00Z'));
    expect(parseTimestamp('2024/03/14 12:05:00 PM GMT-3')).toEqual(both('2024-03-14T15:05:00Z'));
    expect(parseTimestamp('2024/03/14 11:02:10 PM GMT+5')).toEqual(both('2024-03-14T18:02:10Z'));
  });
  it('reads ISO 8601 with and without zone', () => {
    expect(parseTimestamp('2024-03-14')).toEqual(both('2024-03-14T00:00:00Z'));
    expect(parseTimestamp('2024-03-14 10:15:23')).toEqual(both('2024-03-14T10:15:23Z'));
    expect(parseTimestamp('2024-03-14T10:15:23.250Z')).toEqual(both('2024-03-14T10:15:23.250Z'));
    expect(parseTimestamp('2024-03-14T10:15:23.000+05:00')).toEqual(both('2024-03-14T05:15:23Z'));
    expect(parseTimestamp('۲۰۲۴-۰۳-۱۴ ۱۰:۱۵')).toEqual(both('2024-03-14T10:15:00Z'));
  });
  it('gives both readings of day/month forms', () => {
    expect(parseTimestamp('3/4/2024 10:00:00')).toEqual({
      mdy: Date.parse('2024-03-04T10:00:00Z'),
      dmy: Date.parse('2024-04-03T10:00:00Z'),
    });
    const r = parseTimestamp('14/03/2024 10:15');
    expect(r!.mdy).toBeNaN();
    expect(r!.dmy).toBe(Date.parse('2024-03-14T10:15:00Z'));
    expect(parseTimestamp('14.03.2024')!.dmy).toBe(Date.parse('2024-03-14T00:00:00Z'));
    expect(parseTimestamp('3/14/2024 1:05:09 PM')!.mdy).toBe(Date.parse('2024-03-14T13:05:09Z'));
  });
  it('reads XLSX dates and Excel serial days', () => {
    expect(parseTimestamp(new Date('2024-03-14T10:15:23Z'))).toEqual(both('2024-03-14T10:15:23Z'));
    expect(parseTimestamp(45365.5)).toEqual(both('2024-03-14T12:00:00Z'));
  });
  it('refuses impossible and unknown forms', () => {
    for (const s of [
      'yesterday',
      '2024-02-30',
      '2024/13/01',
      '31/31/2024',
      '2024-03-14 25:00',
      '13:00 PM',
      '2024/03/14 13:00:00 PM',
      '',
    ]) {
      expect(parseTimestamp(s), s).toBeNull();
    }
    expect(parseTimestamp(true)).toBeNull();
    expect(parseTimestamp(new Date(Number.NaN))).toBeNull();
  });
});
