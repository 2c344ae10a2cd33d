/**
 * The instrument library: one data file per instrument, each validated by `InstrumentSchema` when it loads.
 *
 * @example
 * import { getInstrument, listInstruments } from '../instruments/index.js';
 * const phq9 = getInstrument('phq9'); // Instrument | undefined
 */
import type { Instrument } from '../core/instrument/schema.js';
import { bace3 } from './bace3.js';
import { cbi } from './cbi.js';
import { dass21 } from './dass21.js';
import { gad7 } from './gad7.js';
import { mbiss } from './mbiss.js';
import { phq9 } from './phq9.js';
import { pss10 } from './pss10.js';

export { bace3, cbi, dass21, gad7, mbiss, phq9, pss10 };

const LIBRARY: readonly Instrument[] = Object.freeze([bace3, dass21, phq9, gad7, cbi, mbiss, pss10]);
const BY_ID: ReadonlyMap<string, Instrument> = new Map(LIBRARY.map((i) => [i.id, i]));

/** Every library instrument, parsed and frozen, in a stable order. */
export function listInstruments(): readonly Instrument[] {
  return LIBRARY;
}

/** A library instrument by id (e.g. "bace3", "phq9"), or undefined. The object is frozen: copy before changing. */
export function getInstrument(id: string): Instrument | undefined {
  return BY_ID.get(id);
}

/** Ids of the library instruments. */
export function instrumentIds(): string[] {
  return LIBRARY.map((i) => i.id);
}

/** Instruments deliberately left out of the library, and why (shown by `nabz instruments list`). */
export const OMITTED_INSTRUMENTS: readonly {
  readonly id: string;
  readonly title: string;
  readonly reason: string;
}[] = [
  {
    id: 'olbi',
    title: 'Oldenburg Burnout Inventory (OLBI / OLBI-S)',
    reason:
      'Not shipped: the assignment of the 16 items to exhaustion and disengagement and which items are reverse keyed could not be verified (the keys depend on the response coding direction — the most common bug in public code), the student wording is unverified, and no formal licence was found. A study that holds the form can define it as its own questionnaire with its own domains (official: false).',
  },
  {
    id: 'bat',
    title: 'Burnout Assessment Tool (BAT-23 / BAT-12)',
    reason:
      'Not shipped: the manual says "All rights reserved … without prior written permission", and the item-to-subscale keys, student wording and cut-off values could not be verified. A study with written permission can define it as its own questionnaire with its own domains (official: false).',
  },
];
