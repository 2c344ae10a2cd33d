import type { FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { HttpError } from '../../src/server/errors.js';
import {
  formChoice,
  formList,
  formOption,
  formRawText,
  formText,
  formWholeNumber,
  parseBody,
  parseParams,
  parseQuery,
  queryChoice,
  queryList,
  queryStrictChoice,
  queryText,
  segment,
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

  it('gives what the schema gives without running it for text segments and an empty query (the quick path)', () => {
    const S = z.object({ token: segment });
    const viaZod = (v: unknown) => S.safeParse(v);
    const spy = vi.spyOn(S, 'safeParse');
    for (const params of [{ token: 'abc' }, { token: 'abc', extra: 'x' }, { token: '' }])
      expect(parseParams(req({}, params), S)).toEqual(viaZod(params).data);
    expect(spy).toHaveBeenCalledTimes(3); // only by viaZod
    spy.mockRestore();
    // Not text: the schema's own refusal and message.
    for (const params of [{}, { token: 3 }, { token: ['a'] }, { toString: 'x' }])
      expect(() => parseParams(req({}, params), S)).toThrow(/The address is not valid \(token: /);
    // An empty query gives the schema's defaults, a fresh object each time (callers may change it).
    const a = parseQuery(req({}), Q);
    expect(a).toEqual(Q.parse({}));
    const q = vi.spyOn(Q, 'safeParse');
    parseQuery(req({}), Q);
    expect(q).not.toHaveBeenCalled();
    q.mockRestore();
    (a as Record<string, unknown>).lang = 'ur';
    expect(parseQuery(req(undefined), Q)).toEqual(Q.parse({}));
    expect(parseQuery(req(Object.create(null)), Q)).toEqual(Q.parse({}));
    // A schema that refuses an empty query still refuses it, with its message.
    const R = z.object({ must: z.string() });
    expect(() => parseQuery(req({}), R)).toThrow(/The query string is not valid \(must: /);
    expect(() => parseQuery(req({}), R)).toThrow(/The query string is not valid \(must: /);
  });
});

describe('form bodies are parsed with a schema (parseBody)', () => {
  const body = (b: unknown) => ({ body: b }) as unknown as FastifyRequest;
  const F = z.object({
    name: formText,
    text: formRawText,
    codes: formList,
    lang: formOption(['en', 'ur'], 'en'),
    status: formChoice('Status', ['sent', 'returned']),
    version: formWholeNumber('version', 0),
  });

  it('reads trimmed and raw text, repeated fields, options and whole numbers, with defaults', () => {
    expect(parseBody(body({ status: 'sent' }), F)).toEqual({
      name: '',
      text: '',
      codes: [],
      lang: 'en',
      status: 'sent',
      version: 0,
    });
    expect(
      parseBody(
        body({
          name: [' a ', 'b'],
          text: ' x\n',
          codes: [' c1 ', '', 'c2'],
          lang: 'fr',
          status: ' returned ',
          version: '12',
        }),
        F,
      ),
    ).toEqual({ name: 'a', text: ' x\n', codes: ['c1', 'c2'], lang: 'en', status: 'returned', version: 12 });
    expect(parseBody(body(undefined), z.object({ codes: formList })).codes).toEqual([]);
  });

  it('answers 400 naming the field, the bad value and the choices; nothing is saved', () => {
    expect(() => parseBody(body({ status: 'lost' }), F)).toThrow(
      'The form is not valid (status: Status "lost" is not one of sent, returned.); nothing was saved; correct it and send the form again.',
    );
    expect(() => parseBody(body({ status: 'sent', version: '1e3' }), F)).toThrow(
      'version: "1e3" is not a whole number; enter one like 12.',
    );
    try {
      parseBody(body({ status: 'sent', version: '-1' }), F);
    } catch (e) {
      expect((e as HttpError).status).toBe(400);
      expect((e as HttpError).issues?.[0]?.path).toBe('version');
    }
  });
});
