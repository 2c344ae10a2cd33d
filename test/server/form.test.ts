/** The one form-body decoder (src/server/form.ts `asForm`): what every handler reads `req.body` through. */
import { describe, expect, it } from 'vitest';
import { asForm, field, fieldAll, formField } from '../../src/server/form.js';

describe('asForm', () => {
  it('keeps string fields and lists of strings, and nothing else', () => {
    const form = asForm({ a: 'x', b: ['1', '2'], n: 3, o: { x: 1 }, mixed: ['1', 2], nul: null });
    expect({ ...form }).toEqual({ a: 'x', b: ['1', '2'] });
    expect(fieldAll(form, 'mixed')).toEqual([]);
    expect(field(form, 'n')).toBe('');
  });

  it('is an empty form for a body that is not an object', () => {
    for (const body of [undefined, null, 'a=1', 7, ['a']]) expect({ ...asForm(body) }).toEqual({});
  });

  it('reads a field named like an Object member as a field, and an absent one as absent', () => {
    const form = asForm(JSON.parse('{"constructor":"c","__proto__":"p"}'));
    expect(field(form, 'constructor')).toBe('c');
    expect(field(form, '__proto__')).toBe('p');
    expect(field(asForm({}), 'toString')).toBe('');
    expect(formField({}, 'constructor')).toBeUndefined();
  });
});
