import { describe, expect, it } from 'vitest';
import { answersJson } from '../../../src/core/response/answersJson.js';
import { answersFromJson, validateResponse } from '../../../src/core/response/submission.js';
import { prepareDefinition } from '../../../src/server/respond/load.js';
import { baceAnswers } from '../../faults/helpers.js';
import { baceStudyDefinition } from '../helpers.js';

describe('the answers a JSON submission becomes', () => {
  it('are shared frozen objects, and serialise exactly as JSON.stringify does', () => {
    const loaded = prepareDefinition(baceStudyDefinition(), 1);
    const parsed = answersFromJson(loaded.flow, { ...baceAnswers(3), bace3_14: 'na' }, 'en');
    expect(parsed.errors).toEqual([]);
    const v = validateResponse(loaded.resolved, parsed.answers, { flow: loaded.flow, lang: 'en' });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    expect(Object.isFrozen(v.value.bace3_01)).toBe(true);
    expect(v.value.bace3_14).toEqual({ kind: 'na' });
    expect(answersJson(v.value)).toBe(JSON.stringify(v.value));
  });
});
