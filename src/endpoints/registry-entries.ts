// How the endpoint registry recognises an entry it has seen before (docs/architecture.md, the
// endpoints/ layout): a string by its text, an object by the fields its parsed form depends
// on, so an unchanged entry is not parsed again; and whether an endpoint's description changed.
import type { LiveEndpoint } from './endpoint.js';
import type { ParsedEndpoint } from './parse.js';

/** The registry's record of one endpoint. */
export interface Slot {
  readonly state: LiveEndpoint;
  /** The description last applied to `state`: when the next one is the same object, nothing changed. */
  parsed: ParsedEndpoint;
  /** The number of the update that last named this endpoint. */
  seen: number;
  /** Its position in `list`. */
  index: number;
  /** False once the endpoint was removed. */
  live: boolean;
}

/** An endpoint string that parsed, and the endpoint it last named. */
export interface Text {
  readonly parsed: ParsedEndpoint;
  slot: Slot | undefined;
  /** The number of the update that last held this text, and where in it. */
  seen: number;
  at: number;
}

/** An object entry as it was read, and what it parsed to: an equal object next time parses the same. */
export interface Described {
  readonly fields: readonly unknown[];
  /** Whether it had a `metadata` (whose values are then those of `parsed.metadata`). */
  readonly metadata: boolean;
  readonly parsed: ParsedEndpoint;
  slot: Slot | undefined;
}

/** The fields of an object entry that its parsed form depends on, but for metadata. */
const FIELDS = ['host', 'port', 'protocol', 'weight', 'priority', 'zone', 'basePath'] as const;

/** Whether two descriptions of the same endpoint say the same: then its state needs no refresh. */
export function sameDescription(a: ParsedEndpoint, b: ParsedEndpoint): boolean {
  if (a.weight !== b.weight || a.priority !== b.priority || a.zone !== b.zone || a.authorization !== b.authorization) return false;
  if (a.metadata === b.metadata) return true;
  const ka = Object.keys(a.metadata);
  if (ka.length !== Object.keys(b.metadata).length) return false;
  for (const k of ka) if (!Object.hasOwn(b.metadata, k) || a.metadata[k] !== b.metadata[k]) return false;
  return true;
}

/** What `init`, an object entry that parsed to `parsed`, was made of; `undefined` if it cannot be read again. */
export function record(init: unknown, parsed: ParsedEndpoint): Described | undefined {
  try {
    const o = init as Record<string, unknown>;
    return { fields: FIELDS.map((k) => o[k]), metadata: o['metadata'] !== undefined, parsed, slot: undefined };
  } catch {
    return undefined;
  }
}

/**
 * Whether the entry `init` is an object with the same fields as `known` (and metadata with the
 * same keys and values), so that it parses the same. Never throws: an entry that cannot be
 * read is not the same, and is parsed (and reported) the long way.
 */
export function sameObject(init: unknown, known: Text | Described | undefined): boolean {
  if (known === undefined || !('fields' in known) || init === null || typeof init !== 'object') return false;
  try {
    const o = init as Record<string, unknown>;
    for (let k = 0; k < FIELDS.length; k++) if (o[FIELDS[k]!] !== known.fields[k]) return false;
    const m = o['metadata'];
    if (m === undefined) return !known.metadata;
    if (!known.metadata || m === null || typeof m !== 'object' || Array.isArray(m)) return false;
    const theirs = known.parsed.metadata;
    const keys = Object.keys(m);
    if (keys.length !== Object.keys(theirs).length) return false;
    for (const key of keys) if (!Object.hasOwn(theirs, key) || (m as Record<string, unknown>)[key] !== theirs[key]) return false;
    return true;
  } catch {
    return false;
  }
}
