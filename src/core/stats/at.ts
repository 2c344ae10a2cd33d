/**
 * Checked element read, used instead of the non-null assertion `a[i]!` (issue 13: Biome's
 * `noNonNullAssertion` is on for this folder). Where a loop bound guarantees the element exists, a
 * missing element is a bug in nabz, so it throws rather than letting `undefined` become NaN or a
 * silently wrong number further on. Allocation-free, so it is fine in hot loops.
 */
export function at<T>(a: ArrayLike<T>, i: number): T {
  const v = a[i];
  if (v === undefined) outOfRange(i, a.length);
  return v;
}

/** The error of every checked read: out of its own function so that the reads stay small enough to inline. */
function outOfRange(i: number, length: number): never {
  throw new Error(`internal: index ${i} out of range (length ${length}); this is a bug in nabz.`);
}

/** Checked `Map` read, the `at` of maps: for a key the caller has put there itself; a missing key throws. */
export function mapAt<K, V>(m: ReadonlyMap<K, V>, key: K): V {
  const v = m.get(key);
  if (v === undefined) throw new Error(`internal: no entry for ${String(key)}; this is a bug in nabz.`);
  return v;
}

/** The code point of `ch`, one character from iterating a string; an empty string throws. */
export function codePoint(ch: string): number {
  const cp = ch.codePointAt(0);
  if (cp === undefined) throw new Error('internal: code point of an empty string; this is a bug in nabz.');
  return cp;
}

/**
 * A value the caller knows is set: a field that the code building the object always fills for this case (the
 * study of an invitation link), or an entity it has just checked exists. `undefined` or `null` throws, naming
 * `what`, instead of the non-null assertion `x!`.
 */
export function present<T>(v: T, what: string): NonNullable<T> {
  if (v === undefined || v === null) throw new Error(`internal: ${what} is missing; this is a bug in nabz.`);
  return v;
}

/**
 * `at` for a Float64Array (a column's values, a score): the same check, but only ever called with one array type,
 * so V8 keeps it monomorphic and inlines it. The shared `at` sees every kind of array and is megamorphic; in the
 * analysis's loops over every respondent it doubled the time of a loop like reliability's complete-rows matrix.
 */
export function atF64(a: Float64Array, i: number): number {
  const v = a[i];
  if (v === undefined) outOfRange(i, a.length);
  return v;
}

/**
 * `at` for a plain array of numbers, monomorphic for the same reason as {@link atF64}: the statistics' inner loops
 * (regression, logistic IRLS, reliability) read number[] and Float64Array through these two instead of the shared
 * `at`, which doubled the time of `nabz analyze` (issue 13's at() bench, docs/benchmarks.md).
 */
export function atNum(a: readonly number[], i: number): number {
  const v = a[i];
  if (v === undefined) outOfRange(i, a.length);
  return v;
}

/**
 * `at` for the functions that take any array of numbers (`ArrayLike<number>`: a Float64Array or a number[], as the
 * statistics' public functions accept both). It only ever sees arrays of numbers — a few array kinds, not every
 * kind the shared `at` sees — so V8 keeps it polymorphic and inlines it, where `at` is megamorphic.
 */
export function atNumeric(a: ArrayLike<number>, i: number): number {
  const v = a[i];
  if (v === undefined) outOfRange(i, a.length);
  return v;
}

/** `at` for a Uint8Array (an answer column's statuses, a score's reasons), monomorphic as {@link atF64}. */
export function atU8(a: Uint8Array, i: number): number {
  const v = a[i];
  if (v === undefined) outOfRange(i, a.length);
  return v;
}

/** `at` for a Uint16Array (a score's numbers of items answered), monomorphic as {@link atF64}. */
export function atU16(a: Uint16Array, i: number): number {
  const v = a[i];
  if (v === undefined) outOfRange(i, a.length);
  return v;
}
