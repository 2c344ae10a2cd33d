/**
 * Complementary suppression (src/core/privacy/suppression.ts): what a reader can recover by subtracting the
 * figures shown from totals published elsewhere must never describe fewer than k people.
 */
import { describe, expect, it } from 'vitest';
import { cellsToSuppress2D, levelsToLeaveOut } from '../../../src/core/privacy/suppression.js';

/** Every hidden cell of `table` must sit in rows and columns whose hidden cells are ≥ 2 and hold ≥ k together. */
function protectedBy(table: number[][], hide: boolean[][], k: number): boolean {
  const lines = [
    ...table.map((row, r) => row.map((_, c) => [r, c] as const)),
    ...(table[0] ?? []).map((_, c) => table.map((_, r) => [r, c] as const)),
  ];
  return lines.every((cells) => {
    const hidden = cells.filter(([r, c]) => hide[r]![c]);
    const sum = hidden.reduce((s, [r, c]) => s + table[r]![c]!, 0);
    return hidden.length === 0 || (hidden.length >= 2 && sum >= k);
  });
}

describe('levelsToLeaveOut', () => {
  it('leaves out a small group with the next smallest until those left out hold k people', () => {
    // Divorced 6 (< 15): alone, "overall − Single − Married" gives its figures; Married (30) goes with it.
    expect(levelsToLeaveOut([364, 30, 6], 15)).toEqual({ small: new Set([2]), complement: new Set([1]) });
    // Two small groups that together reach k need no complement.
    expect(levelsToLeaveOut([100, 3, 2], 5)).toEqual({ small: new Set([1, 2]), complement: new Set() });
    expect(levelsToLeaveOut([100, 3, 1], 5)).toEqual({ small: new Set([1, 2]), complement: new Set([0]) });
    // Empty groups are neither kept nor used as a complement; k = 0 leaves nothing out.
    expect(levelsToLeaveOut([0, 40, 2, 0], 5)).toEqual({ small: new Set([2]), complement: new Set([1]) });
    expect(levelsToLeaveOut([40, 2], 0)).toEqual({ small: new Set(), complement: new Set() });
    expect(levelsToLeaveOut([40, 20], 5)).toEqual({ small: new Set(), complement: new Set() });
  });
});

describe('cellsToSuppress2D', () => {
  it("the issue's case: a small cell cannot be recovered from the other row's cell and the column total", () => {
    // Gender 1: 2 of 20 with the outcome; gender 2: 10 of 20. Column total 12 is in the threshold table.
    const table = [
      [2, 18],
      [10, 10],
    ];
    const hide = cellsToSuppress2D(table, 5);
    expect(hide).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(protectedBy(table, hide, 5)).toBe(true);
  });

  it('hides along rows and columns, choosing the smallest cells, and leaves unaffected cells shown', () => {
    const table = [
      [3, 40, 50],
      [20, 30, 60],
      [25, 35, 45],
    ];
    const hide = cellsToSuppress2D(table, 5);
    expect(protectedBy(table, hide, 5)).toBe(true);
    expect(hide[0]![0]).toBe(true);
    // Row 0's complement is its smallest other cell (40); column 0's is 20; and so on until every line holds.
    expect(hide[0]![1]).toBe(true);
    expect(hide[1]![0]).toBe(true);
    expect(hide[2]![2]).toBe(false);
  });

  it('two small cells of a line that together stay below k take a third', () => {
    const table = [
      [1, 1, 30],
      [20, 20, 20],
    ];
    const hide = cellsToSuppress2D(table, 5);
    expect(hide[0]).toEqual([true, true, true]);
    expect(protectedBy(table, hide, 5)).toBe(true);
  });

  it('holds on random tables: no line with one hidden cell or hidden cells under k', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let t = 0; t < 300; t++) {
      const rows = 2 + Math.floor(rnd() * 4);
      const cols = 2 + Math.floor(rnd() * 4);
      const k = 3 + Math.floor(rnd() * 8);
      // Row and column totals of at least k: small levels are left out before (levelsToLeaveOut).
      const table = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () =>
          rnd() < 0.3 ? Math.floor(rnd() * k) : k + Math.floor(rnd() * 40),
        ),
      );
      const hide = cellsToSuppress2D(table, k);
      const lineOk = protectedBy(table, hide, k);
      // A line may be unprotectable only when it has no other non-zero cell to hide (all others 0).
      if (!lineOk) {
        const lone = [
          ...table.map((row, r) => row.map((_, c) => [r, c] as const)),
          ...table[0]!.map((_, c) => table.map((_, r) => [r, c] as const)),
        ].some((cells) => cells.filter(([r, c]) => !hide[r]![c] && table[r]![c]! > 0).length === 0);
        expect(lone).toBe(true);
      }
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++)
          if (table[r]![c]! > 0 && table[r]![c]! < k) expect(hide[r]![c]).toBe(true);
    }
  });
});
