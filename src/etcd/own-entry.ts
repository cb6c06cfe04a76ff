// The watch etcdRegistration keeps on its own entry: someone else's change to it (`etcdctl del`,
// or `etcdctl put` without any lease, which detaches the entry from the lease so that neither
// stop() nor a crash would remove it) is reported, so the entry is written again. A put under
// another live lease (a second registration of the same key) is left to stand: the last writer
// wins, and its lease still removes the entry, as before; taking it back would have the two
// registrations overwrite each other for ever.
import type { IKeyValue } from 'etcd3';
import { followRange, type EtcdClient } from './follow.js';

/** What the registration hears from the watch. */
export interface OwnEntry {
  /** The newest revision etcd gave the registration (its last put's); 0 for none. */
  known(): number;
  /** A read answered at `revision`, below what etcd had given before it was sent: etcd's history went back (a restore from an older copy). */
  rewound(revision: number): void;
  /** The entry was deleted at `revision`, or (after a read) was absent as of `revision`. */
  deleted(revision: number): void;
  /** The entry was overwritten at `revision` by a put without any lease (detached). */
  overwritten(revision: number): void;
  /** A read of the entry failed, or its watch broke (the watch tries again with backoff). */
  failed(err: unknown): void;
  /** A read of the entry was answered (the watch follows it again). */
  answered(): void;
}

/**
 * Follows `key` until `signal` aborts, telling `entry` of deletions and of puts without a lease
 * (lease 0: the registration always writes under one). Resolves once stopped.
 */
export function followOwnEntry(client: EtcdClient, key: string, entry: OwnEntry, signal: AbortSignal, options: { backoff: { min: number; max: number }; cancelTimeout: number }): Promise<void> {
  const foreign = (kv: IKeyValue): boolean => String(kv.lease) === '0';
  // What etcd had given the registration when the read was sent: in one history (reads are
  // linearizable) the read's revision is at least that.
  let known = 0;
  return followRange(client, { key }, {
    reading: () => {
      known = entry.known();
    },
    reset: (kvs, revision) => {
      entry.answered();
      // Lower: etcd came back with an older copy of its data, whose entry (even under the
      // registration's lease, if it lived there) may hold an older value; and its revisions
      // cannot be weighed against the registration's puts.
      // So is an entry last changed before the registration's last put (that put changed it, and
      // revisions only grow in one history): other writes since the restore may have taken the
      // revision past `known`, but not the entry's own.
      const kv = kvs[0];
      if (revision < known || (kv !== undefined && Number(kv.mod_revision) < known)) entry.rewound(revision);
      // Read (first, or again after the watch broke): an absent entry is told with the read's
      // revision, and the registration weighs it against its puts: a put of its own at or after
      // that revision (the read was sent first and answered after the put) stands; one before it,
      // answered or still on its way, was deleted since, and is written again. The watch starts
      // at the revision after the read, so a deletion the read saw is not reported again.
      if (kv === undefined) entry.deleted(revision);
      else if (foreign(kv)) entry.overwritten(Number(kv.mod_revision));
    },
    changes: (changes) => {
      for (const c of changes) {
        if (c.type === 'delete') entry.deleted(Number(c.kv.mod_revision));
        else if (foreign(c.kv)) entry.overwritten(Number(c.kv.mod_revision));
      }
    },
    error: (err) => entry.failed(err),
  }, signal, { ...options, pageSize: 1 });
}
