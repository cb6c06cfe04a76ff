// The watch etcdRegistration keeps on its own entry: someone else's change to it (`etcdctl del`,
// or `etcdctl put` without the registration's lease, which detaches the entry from the lease so
// that neither stop() nor a crash would remove it) is reported, so the entry is written again.
import type { IKeyValue } from 'etcd3';
import { followRange, type EtcdClient } from './follow.js';

/** What the registration tells the watch, and hears from it. */
export interface OwnEntry {
  /** Whether the registration believes its entry written (and no put of it in flight), and its revision. */
  written(): { readonly at: number } | undefined;
  /** Whether `lease` (an etcd lease ID, in decimal) is one this registration was granted. */
  ownLease(lease: string): boolean;
  /** The entry was deleted at `revision`. */
  deleted(revision: number): void;
  /** The entry was overwritten at `revision` by a put without the registration's lease. */
  overwritten(revision: number): void;
}

/**
 * Follows `key` until `signal` aborts, telling `entry` of deletions and of puts under a lease not
 * its own (lease 0 included). A put of its own is none of these; resolves once stopped.
 */
export function followOwnEntry(client: EtcdClient, key: string, entry: OwnEntry, signal: AbortSignal, options: { backoff: { min: number; max: number }; cancelTimeout: number }): Promise<void> {
  const foreign = (kv: IKeyValue): boolean => !entry.ownLease(String(kv.lease));
  return followRange(client, { key }, {
    reset: (kvs) => {
      // Read again (the watch broke): an entry written before and not there now was deleted.
      const kv = kvs[0];
      const written = entry.written();
      if (kv === undefined) {
        if (written !== undefined) entry.deleted(written.at + 1);
      } else if (foreign(kv)) entry.overwritten(Number(kv.mod_revision));
    },
    changes: (changes) => {
      for (const c of changes) {
        if (c.type === 'delete') entry.deleted(Number(c.kv.mod_revision));
        else if (foreign(c.kv)) entry.overwritten(Number(c.kv.mod_revision));
      }
    },
    error: () => {}, // etcd's failures are reported by the loop that writes
  }, signal, { ...options, pageSize: 1 });
}

/** The IDs of the last few leases granted to a registration: a put under one of them is its own. */
export class OwnLeases {
  readonly #ids = new Set<string>();

  add(id: string): void {
    this.#ids.add(String(id));
    if (this.#ids.size > 8) this.#ids.delete(this.#ids.values().next().value!);
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }
}
