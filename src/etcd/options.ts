// Checks shared by bulwark/etcd's options: the user's client, key prefixes and keys, backoff.
// Each failure is a ConfigError naming the option; a key is echoed, a client never is.
import { ConfigError } from '../errors.js';
import { checkSourceBackoff, type SourceDelays } from '../discovery/support.js';

export type { SourceDelays } from '../discovery/support.js';
import type { EtcdClient } from './follow.js';

/** The user's etcd3 client (an `Etcd3`, or a `namespace()` of one); a ConfigError if it is none. */
export function checkClient(service: string, client: unknown): EtcdClient {
  const c = client as Record<string, unknown> | null | undefined;
  let ok: boolean;
  try {
    ok = typeof c === 'object' && c !== null && ['get', 'getAll', 'watch', 'lease'].every((m) => typeof c[m] === 'function');
  } catch {
    ok = false; // a Proxy whose traps throw, a getter that does: no client it can use
  }
  if (!ok) throw new ConfigError(service, 'client', 'must be an etcd3 client (new Etcd3({ hosts }) from the etcd3 package, or a namespace of one)', typeof client === 'object' ? '[not an etcd3 client]' : client);
  return client as EtcdClient;
}

/** A non-empty key or prefix (etcd keys are bytes; we take UTF-8 strings). */
export function checkKey(service: string, path: string, key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new ConfigError(service, path, 'must be a non-empty string', key);
  if (Buffer.byteLength(key) > 4096) throw new ConfigError(service, path, 'must be at most 4 096 bytes', `${key.slice(0, 64)}…`);
  return key;
}

/** The backoff option with its defaults (bulwark's SOURCE_BACKOFF: 1 s doubling to 30 s, jittered); checked as every adapter checks it. */
export function checkBackoff(service: string, backoff: unknown): SourceDelays {
  return checkSourceBackoff(service, backoff);
}

/** A whole number from 1 to `max`, or `fallback` when undefined. */
export function checkCount(service: string, path: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ConfigError(service, path, `must be a whole number from 1 to ${max}`, value);
  }
  return value;
}

/** How a key is named in an event: UTF-8, cut at 256 characters (a key is not a secret; a value may be). */
export function keyName(key: Buffer | string): string {
  const text = typeof key === 'string' ? key : key.toString('utf8');
  return text.length > 256 ? `${text.slice(0, 256)}…` : text;
}
