import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instrumentJsonSchema, instrumentJsonSchemaText } from '../../../src/core/instrument/jsonSchema.js';

const file = join(__dirname, '..', '..', '..', 'schemas', 'instrument.schema.json');

describe('schemas/instrument.schema.json', () => {
  // Regenerate with: UPDATE_SCHEMAS=1 npx vitest run test/core/instrument/jsonSchema.test.ts
  if (process.env.UPDATE_SCHEMAS === '1') writeFileSync(file, instrumentJsonSchemaText());

  it('equals the schema generated from InstrumentSchema', () => {
    expect(readFileSync(file, 'utf8')).toBe(instrumentJsonSchemaText());
  });

  it('describes the fields an author writes', () => {
    const s = instrumentJsonSchema() as {
      required: string[];
      properties: Record<string, unknown>;
      $schema: string;
    };
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.required).toEqual(expect.arrayContaining(['id', 'title', 'items']));
    // defaulted fields are optional for authors; an own instrument may leave out licence, citation and titles
    for (const f of ['scores', 'version', 'shortTitle', 'citation', 'licence', 'languages'])
      expect(s.required, f).not.toContain(f);
    expect(Object.keys(s.properties)).toEqual(
      expect.arrayContaining(['scales', 'scores', 'safety', 'endorsement', 'notes']),
    );
  });
});
