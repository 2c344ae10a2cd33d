/**
 * `defineInstrument`: how library instruments are written. The data is validated by `InstrumentSchema`
 * when the module loads, so a broken definition fails every test at once instead of misscoring later.
 */
import { type Instrument, type InstrumentInput, parseInstrument } from './schema.js';

/** Freeze an object graph so shared library instruments cannot be changed by a caller. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/**
 * A library instrument states what own instruments may leave to defaults: its version, short title,
 * citation, licence and languages.
 */
type LibraryInstrumentInput = InstrumentInput &
  Required<Pick<InstrumentInput, 'version' | 'shortTitle' | 'citation' | 'licence' | 'languages'>>;

/**
 * Validate an instrument definition and return the parsed, deeply frozen instrument (defaults filled).
 * Throws — listing every issue with its path — when the definition is invalid: library data is ours,
 * so an invalid definition is a bug. For user-supplied definitions use `parseInstrument`, which returns issues.
 */
export function defineInstrument(input: LibraryInstrumentInput): Instrument {
  const r = parseInstrument(input);
  if (!r.ok) {
    const id = typeof input === 'object' && input && 'id' in input ? String(input.id) : '(no id)';
    throw new Error(
      `instrument "${id}" is invalid:\n${r.issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    );
  }
  return deepFreeze(r.value);
}
