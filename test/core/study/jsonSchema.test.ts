import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerJsonSchema, jsonSchemaText, studyJsonSchema } from '../../../src/core/study/jsonSchema.js';

const dir = join(__dirname, '..', '..', '..', 'schemas');
const files = [
  { file: 'study.schema.json', schema: studyJsonSchema },
  { file: 'answer.schema.json', schema: answerJsonSchema },
];

describe('committed JSON Schemas of the study definition and the answer', () => {
  // Regenerate with: UPDATE_SCHEMAS=1 npx vitest run test/core/study/jsonSchema.test.ts
  if (process.env.UPDATE_SCHEMAS === '1')
    for (const f of files) writeFileSync(join(dir, f.file), jsonSchemaText(f.schema()));

  for (const f of files) {
    it(`schemas/${f.file} equals the schema generated from the Zod schema`, () => {
      expect(readFileSync(join(dir, f.file), 'utf8')).toBe(jsonSchemaText(f.schema()));
    });
  }

  it('describes what a study author writes (defaulted fields optional)', () => {
    const s = studyJsonSchema() as {
      required: string[];
      properties: Record<string, unknown>;
      $schema: string;
    };
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.required).toEqual(['id', 'title']);
    expect(Object.keys(s.properties)).toEqual(
      expect.arrayContaining(['instruments', 'questions', 'analysis', 'collection', 'languages']),
    );
  });

  it('lists the six answer kinds', () => {
    const s = answerJsonSchema() as {
      oneOf?: { properties: { kind: { const: string } } }[];
      anyOf?: unknown[];
    };
    const kinds = (s.oneOf ?? (s.anyOf as typeof s.oneOf) ?? []).map((o) => o.properties.kind.const);
    expect(kinds.sort()).toEqual(['choices', 'na', 'not_shown', 'skipped', 'text', 'value']);
  });
});
