/**
 * JSON Schema for instrument authors, generated from `InstrumentSchema` (never written by hand).
 * The committed copy is schemas/instrument.schema.json; a test checks it equals this output.
 * Cross-field rules (unique ids, items referring to existing scales, expressions referring to known
 * items) live in the Zod refinement and are checked by `parseInstrument`, not by the JSON Schema.
 */
import { z } from 'zod';
import { InstrumentSchema } from './schema.js';

/** The JSON Schema (draft 2020-12) of an instrument definition as an author writes it (defaults optional). */
export function instrumentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(InstrumentSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    title: 'nabz instrument definition',
    description:
      'A nabz instrument — one of the library, or an own instrument a study brings as a JSON file (docs/own-instruments.md): items, response scales, scores, bands, safety rules, citation and licence (an own instrument may leave out licence, citation, version, shortTitle and languages). Generated from InstrumentSchema (src/core/instrument/schema.ts); do not edit by hand.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** The committed file's text: 2-space JSON with a final newline. */
export function instrumentJsonSchemaText(): string {
  return `${JSON.stringify(instrumentJsonSchema(), null, 2)}\n`;
}
