// The watch etcdRegistration keeps on its own entry: someone else's change to it (`etcdctl del`,
// or `etcdctl put` without any lease, which detaches the entry from the lease so that neither
// stop() nor a crash would remove it) is reported, so the entry is written again. A put under
// another live lease (a second registration of the same key) is left to stand: the last writer
// wins, and its lease still removes the entry, as before; taking it back would have the two
// registrations overwrite each other for ever.
import type { IKeyValue } from 'etcd3';
import { followRange, type EtcdClient } from './follow.js';

/** What the registration tells the watch, and hears from it. */
export interface OwnEntry {
  /** Whether the registration believes its entry written (and no put of it in flight), and its revision. */
  written(): { readonly at: number } | undefined;
  /** The entry was deleted at `revision`. */
  deleted(revision: number): void;
  /** The entry was overwritten at `revision` by a put without any lease (detached). */
  overwritten(revision: number): void;
}

/**
 * Follows `key` until `signal` aborts, telling `entry` of deletions and of puts without a lease
 * (lease 0: the registration always writes under one). Resolves once stopped.
 */
export function followOwnEntry(client: EtcdClient, key: string, entry: OwnEntry, signal: AbortSignal, options: { backoff: { min: number; max: number }; cancelTimeout: number }): Promise<void> {
  const foreign = (kv: IKeyValue): boolean => String(kv.lease) === '0';
  return followRange(client, { key }, {
    reset: (kvs, revision) => {
      // Read again (the watch broke): an entry written before and not there now was deleted.
      // Only a read as of our put or later tells: one from before it (sent first, answered after
      // the put's answer on a busy etcd) says nothing about it, and the watch, which starts at
      // the revision after the read, reports the put and whatever came after it.
      const kv = kvs[0];
      const written = entry.written();
      if (kv === undefined) {
        if (written !== undefined && revision >= written.at) entry.deleted(written.at + 1);
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
