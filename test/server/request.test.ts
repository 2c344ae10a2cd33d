import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError } from '../../src/server/errors.js';
import {
  parseParams,
  parseQuery,
  queryChoice,
  queryList,
  queryStrictChoice,
  queryText,
  segments,
} from '../../src/server/request.js';

const req = (query: unknown, params: unknown = {}) => ({ query, params }) as unknown as FastifyRequest;

describe('route params and query strings are parsed with a schema', () => {
  const Q = z.object({
    text: queryText,
    list: queryList,
    lang: queryChoice(['en', 'ur'], 'en'),
    unit: queryStrictChoice('unit', ['character', 'turn'], 'character'),
  });

  it('reads one value, repeated values and choices, with defaults when absent', () => {
    expect(parseQuery(req({}), Q)).toEqual({ list: [], lang: 'en', unit: 'character' });
    expect(parseQuery(req({ text: ['a', 'b'], list: 'x', lang: 'ur', unit: 'turn' }), Q)).toEqual({
      text: 'a',
      list: ['x'],
      lang: 'ur',
      unit: 'turn',
    });
    expect(parseQuery(req({ list: ['x', 'y'], lang: 'fr', unit: '' }), Q)).toMatchObject({
      list: ['x', 'y'],
      lang: 'en',
      unit: 'character',
    });
  });

  it('answers 400 naming the key, the bad value and the choices', () => {
    let err: unknown;
    try {
      parseQuery(req({ unit: 'word' }), Q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    expect((err as HttpError).message).toContain(
      'unit: Unknown unit "word": use one of "character", "turn".',
    );
    expect((err as HttpError).issues).toEqual([
      {
        path: 'unit',
        code: 'invalid_value',
        message: 'Unknown unit "word": use one of "character", "turn".',
      },
    ]);
  });

  it('reads named path segments, and refuses params that are not text', () => {
    expect(segments(req({}, { tid: 't1', did: 'd2' }), 'tid', 'did')).toEqual({ tid: 't1', did: 'd2' });
    expect(() => segments(req({}, {}), 'pid')).toThrow(/The address is not valid \(pid: /);
    expect(parseParams(req({}, { id: '7' }), z.object({ id: z.string().regex(/^\d+$/) }))).toEqual({
      id: '7',
    });
    expect(() => parseParams(req({}, { id: 'x' }), z.object({ id: z.string().regex(/^\d+$/) }))).toThrow(
      HttpError,
    );
  });
});
