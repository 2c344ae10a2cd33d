/**
 * Deterministic GUIDs for REFI-QDA exports.
 *
 * Every REFI-QDA entity needs a GUID (`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, optionally
 * in braces). nabz derives them from the entity's id with SHA-256, so exporting the same project twice writes the
 * same GUIDs and a tool that re-imports the file recognises its entities:
 *   guid = first 16 bytes of SHA-256("nabz-refi-qda\0" + namespace + "\0" + kind + "\0" + id),
 * with the version nibble set to 8 and the variant to 10xx (an RFC 9562 "custom" UUID). An id that already is a
 * GUID (as after importing a REFI-QDA file) is kept, lower-cased and without braces, so
 * export → import → export writes the same GUIDs.
 */
import { createHash } from 'node:crypto';

const GUID_RE = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** Whether `s` matches the REFI-QDA GUID pattern. */
export function isGuid(s: string): boolean {
  const m = GUID_RE.exec(s);
  return !!m && s.startsWith('{') === s.endsWith('}');
}

/** A GUID in canonical form: lower case, no braces. */
export function normalizeGuid(s: string): string {
  const guid = GUID_RE.exec(s)?.[1];
  if (guid === undefined) throw new RangeError(`"${s}" is not a GUID.`);
  return guid.toLowerCase();
}

/** A GUID from a hash of the parts (see the module comment). */
export function hashGuid(...parts: readonly string[]): string {
  const h = createHash('sha256')
    .update(['nabz-refi-qda', ...parts].join('\0'), 'utf8')
    .digest();
  // readUInt8 is the checked read of a Buffer (a RangeError past its end)
  h[6] = (h.readUInt8(6) & 0x0f) | 0x80;
  h[8] = (h.readUInt8(8) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The GUID of an entity: its id if that is a GUID, else derived from namespace, kind and id. */
export function guidFor(namespace: string, kind: string, id: string): string {
  return isGuid(id) ? normalizeGuid(id) : hashGuid(namespace, kind, id);
}
