import { createHash } from 'node:crypto';

// GUIDs are derived from qcode's own stable keys (a code id, a document slug, a coder's name, a span's
// positions), the way a UUID version 5 is derived from a name: exporting one project twice gives the
// same GUIDs, and colleagues' tools can match what they imported before (ATLAS.ti's fresh GUIDs per
// export break exactly that).

/** The namespace all qcode GUIDs live in (itself a random version 4 UUID, fixed forever). */
const NAMESPACE = Buffer.from('6f1d3b8e2c0a4e7b9d5f18a2c4e6b0d3', 'hex');

/** A deterministic GUID (UUID version 5 layout, upper case, no braces) for one kind of object and its key. */
export function refiGuid(kind: string, key: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${kind}\u0000${key}`, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The key a GUID from another tool is matched by: braces dropped, upper case. Tools write either case,
 * with or without braces (the standard's own example mixes both); non-conformant ids such as `c001`
 * are kept as opaque keys rather than refused, since only equality matters.
 */
export function guidKey(raw: string): string {
  const trimmed = raw.trim();
  const bare = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
  return bare.toUpperCase();
}
