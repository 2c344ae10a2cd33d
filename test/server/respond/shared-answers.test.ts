import { describe, expect, it } from 'vitest';
import { decodeStoredAnswers, encodeStoredAnswers } from '../../../src/core/response/answersJson.js';
import { answersFromJson, validateResponse } from '../../../src/core/response/submission.js';
import { prepareDefinition } from '../../../src/server/respond/load.js';
import { baceAnswers } from '../../faults/helpers.js';
import { baceStudyDefinition } from '../helpers.js';

describe('the answers a JSON submission becomes', () => {
  it('are shared frozen objects, stored compactly (version 2) and read back unchanged', () => {
    const loaded = prepareDefinition(baceStudyDefinition(), 1);
    const parsed = answersFromJson(loaded.flow, { ...baceAnswers(3), bace3_14: 'na' }, 'en');
    expect(parsed.errors).toEqual([]);
    const v = validateResponse(loaded.resolved, parsed.answers, { flow: loaded.flow, lang: 'en' });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    expect(Object.isFrozen(v.value.bace3_01)).toBe(true);
    expect(v.value.bace3_14).toEqual({ kind: 'na' });
    const stored = encodeStoredAnswers(v.value);
    expect(stored.startsWith('[2,{')).toBe(true);
    expect(stored).toContain('"bace3_01":3,');
    expect(stored).toContain('"bace3_14":true');
    expect(decodeStoredAnswers(JSON.parse(stored))).toStrictEqual(v.value);
    // A third of the bytes of the verbose form that was stored before.
    expect(stored.length).toBeLessThan(JSON.stringify(v.value).length / 2.5);
  });
});
