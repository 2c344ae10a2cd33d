/**
 * core/json.ts: safe parsing and the one canonical JSON (audit chains, member-check packets, same-answers checks
 * and near-identical-response signatures all use this one function).
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson as burstsUse } from '../../src/core/json.js';
import { canonicalJson as qualAudit } from '../../src/core/qual/audit.js';
import { canonicalJson as storeCodec } from '../../src/store/codec.js';

describe('canonicalJson', () => {
  it('is one function wherever it is imported from', () => {
    expect(qualAudit).toBe(burstsUse);
    expect(storeCodec).toBe(burstsUse);
  });

  it('sorts keys at every depth, drops undefined-valued keys, honours toJSON', () => {
    expect(burstsUse({ b: 1, a: [2, { d: 3, c: undefined, e: new Date(Date.UTC(2026, 0, 2)) }] })).toBe(
      '{"a":[2,{"d":3,"e":"2026-01-02T00:00:00.000Z"}],"b":1}',
    );
    // Key order is by UTF-16 code unit, the same as Array.prototype.sort's default.
    expect(burstsUse({ é: 1, z: 2, Z: 3, '10': 4, '9': 5 })).toBe('{"10":4,"9":5,"Z":3,"z":2,"é":1}');
    expect(burstsUse({ kind: 'value', value: 2 })).toBe(burstsUse({ value: 2, kind: 'value' }));
  });

  it('refuses what JSON cannot carry instead of writing null, naming what and where', () => {
    expect(() => storeCodec({ detail: { x: Number.NaN } }, 'Audit detail')).toThrow(
      /Audit detail\.detail\.x: NaN has no JSON form/,
    );
    expect(() => burstsUse([1, undefined])).toThrow(/value\[1\]: undefined/);
    expect(() => burstsUse({ n: 10n })).toThrow(/bigint/);
    expect(() => burstsUse(Number.POSITIVE_INFINITY)).toThrow(/Infinity/);
  });
});
