import { describe, expect, it } from 'vitest';
import { barSteps, percent, progressModel } from '../../../src/core/study/progress.js';

const counters = {
  totals: { started: 12, page_p1: 12, page_p2: 9, screened_out: 2, declined: 1, completed: 6 },
  days: [
    { day: '2026-12-02', name: 'started', count: 7 },
    { day: '2026-12-02', name: 'completed', count: 4 },
    { day: '2026-12-01', name: 'started', count: 5 },
    { day: '2026-12-01', name: 'completed', count: 2 },
    { day: '2026-12-01', name: 'declined', count: 1 },
  ],
};
const pages = [
  { id: 'p1', title: 'Consent' },
  { id: 'p2', title: 'Barriers' },
];

describe('progressModel', () => {
  it('gives owners and analysts exact counts, shares of those who started and bars', () => {
    const m = progressModel({ counters, storedResponses: 6, pages, k: 5, audience: 'exact' });
    expect(m.stats).toEqual({
      started: '12',
      completed: '6',
      screened: 'fewer than 5',
      declined: '1',
      rate: '50%',
    });
    expect(m.dropoff).toEqual([
      { cells: ['1', 'Consent (p1)', '12', '100%'], bar: 12 },
      { cells: ['2', 'Barriers (p2)', '9', '75%'], bar: 9 },
      { cells: ['', 'Submitted', '6', '50%'], bar: 6 },
    ]);
    // Oldest day first, with the running total.
    expect(m.days.map((d) => d.cells)).toEqual([
      ['2026-12-01', '5', '2', '2'],
      ['2026-12-02', '7', '4', '6'],
    ]);
    expect(m.days.map((d) => d.bar)).toEqual([6, 12]);
  });

  it('counts stored responses as completed when the counter is behind (imports, the JSON API)', () => {
    const m = progressModel({ counters, storedResponses: 9, pages, k: 5, audience: 'exact' });
    expect(m.stats.completed).toBe('9');
    expect(m.dropoff?.at(-1)?.cells).toEqual(['', 'Submitted', '9', '75%']);
  });

  it('coarsens every count for a viewer, and computes shares and bars from the coarsened counts', () => {
    const m = progressModel({ counters, storedResponses: 6, pages, k: 5, audience: 'protected' });
    expect(m.stats).toEqual({
      started: '10+',
      completed: '5+',
      screened: 'fewer than 5',
      declined: 'fewer than 5',
      rate: '50%',
    });
    expect(m.dropoff?.map((r) => r.cells.slice(2))).toEqual([
      ['10+', '100%'],
      ['5+', '50%'],
      ['5+', '50%'],
    ]);
    const numbers = [
      ...m.dropoff!.flatMap((r) => r.cells.slice(2)),
      ...m.days.flatMap((r) => r.cells.slice(1)),
    ];
    for (const n of numbers) expect(n).toMatch(/^(fewer than 5|\d*[05]\+|\d+%)$/);
  });

  it('has no drop-off table when the definition does not resolve, and nothing to divide by before anyone starts', () => {
    const m = progressModel({
      counters: { totals: {}, days: [] },
      storedResponses: 0,
      pages: undefined,
      k: 5,
      audience: 'exact',
    });
    expect(m.dropoff).toBeUndefined();
    expect(m.days).toEqual([]);
    expect(m.stats.rate).toBe('–');
  });

  it('bars stay within 0…12 blocks', () => {
    expect(barSteps(20, 10)).toBe(12);
    expect(barSteps(0, 10)).toBe(0);
    expect(barSteps(3, 0)).toBe(0);
    expect(percent(1, 3)).toBe('33%');
  });
});
