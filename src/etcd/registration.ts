// etcdRegistration (README, "etcd"): a service's own entry under a discovery prefix, held by a
// lease that etcd3 keeps alive. One loop (run) makes the entry what it should be — a live
// lease, the current value written under it — and then sleeps until something changes it: an
// update, or the lease lost (etcd restarted without it, or was unreachable longer than the
// TTL). A crashed process stops its keep-alives, and etcd deletes its entry when the lease expires.
import type { Lease } from 'etcd3';
import { settlesWithin, systemClock } from '../call/clock.js';
import { retrySource } from '../discovery/support.js';
import type { EtcdClient } from './follow.js';
import { followOwnEntry } from './own-entry.js';
import { ETCD_REQUEST_TIMEOUT, withTimeout } from './range-read.js';
import type { SourceDelays } from './options.js';
import { EtcdError } from './errors.js';
import { toRecordText, type EtcdEndpointInit } from './record.js';
import { resolveRegistrationOptions, SERVICE, type EtcdRegistration, type EtcdRegistrationOptions } from './registration-options.js';

export { ETCD_DEFAULT_TTL, type EtcdRegistration, type EtcdRegistrationOptions } from './registration-options.js';

/** Longest wait for etcd while stopping (revoking the lease), ms. */
const STOP_TIMEOUT = 2_000;

/**
 * Registers this instance under a discovery prefix with a lease: the entry is written with
 * bulwark's JSON record (what `etcdDiscovery` reads) and kept alive while the process runs.
 * If the lease is lost (etcd unreachable for longer than 2×TTL, or restarted without it), a new
 * lease is granted and the entry written again, with backoff. `stop()` revokes the lease, which
 * deletes the entry at once; a process that dies without stopping is removed when its lease
 * expires, at most `ttl` seconds later.
 *
 * @example
 * import { Etcd3 } from 'etcd3';
 * import { etcdRegistration } from 'bulwark/etcd';
 * const etcd = new Etcd3({ hosts: 'http://127.0.0.1:2379' });
 * const me = etcdRegistration({ client: etcd, prefix: 'services/users/', endpoint: { host: '10.0.0.7', port: 8080, zone: 'eu-1' } });
 * await me.ready;
 * process.on('SIGTERM', () => void me.stop());
 */
export function etcdRegistration(options: EtcdRegistrationOptions): EtcdRegistration {
  const { client, key, value, ttl, backoff, onError } = resolveRegistrationOptions(options);
  return new Registration(client, key, value, ttl, backoff, onError);
}

class Registration implements EtcdRegistration {
  readonly key: string;
  readonly ready: Promise<boolean>;
  readonly #client: EtcdClient;
  readonly #ttl: number;
  readonly #backoff: SourceDelays;
  readonly #onError: (err: Error) => void;
  readonly #controller = new AbortController();
  /** The value the entry should hold, and the value written under the current lease. */
  #value: string;
  #written: string | undefined;
  #lease: Lease | undefined;
  /** The value of a put in flight (`update` answers at once only when none is), and the revision of the last put. */
  #putting: string | undefined;
  #writtenAt = 0;
  /** The newest revision at which someone else (an operator, a script) deleted the entry or put it without a lease. */
  #lostAt = 0;
  /**
   * The entry was deleted (or etcd's history went back): whether its lease went with it is asked
   * of etcd before writing again, and this is reported if the lease lives.
   */
  #askLease: string | undefined;
  /** Whether a failure to follow the entry was reported since its last answered read. */
  #unfollowedSaid = false;
  /** When the watch on the entry first failed since a read of it was last answered (performance.now()). */
  #unreadSince: number | undefined;
  /** Following the entry in etcd: one deleted or overwritten behind the registration's back is written again. */
  readonly #following: Promise<void>;
  /** A sync in progress (stop waits for it, so no lease is granted after stop). */
  #syncing: Promise<void> = Promise.resolve();
  #kicked = false;
  #wake: (() => void) | undefined;
  #writes: { value: string; resolve: (written: boolean) => void }[] = [];
  #resolveReady!: (registered: boolean) => void;
  readonly #running: Promise<void>;
  #stopping: Promise<void> | undefined;

  constructor(client: EtcdClient, key: string, value: string, ttl: number, backoff: SourceDelays, onError: (err: Error) => void) {
    this.#client = client;
    this.key = key;
    this.#value = value;
    this.#ttl = ttl;
    this.#backoff = backoff;
    this.#onError = onError;
    this.ready = new Promise((resolve) => { this.#resolveReady = resolve; });
    this.#running = this.#run();
    this.#following = followOwnEntry(client, key, {
      known: () => this.#writtenAt,
      rewound: (revision) => this.#rewound(revision),
      deleted: (revision) => this.#lost(revision, true),
      overwritten: (revision) => this.#lost(revision, false),
      failed: (err) => this.#unfollowed(err),
      answered: () => {
        this.#unfollowedSaid = false;
        this.#unreadSince = undefined;
      },
    }, this.#controller.signal, { backoff, cancelTimeout: STOP_TIMEOUT });
  }

  /**
   * The watch on the entry could not read it. etcd's failures are reported by the loop that
   * writes (a lost lease, a failed grant), but while the registration holds its lease and
   * entry that loop has nothing to do: a client that stopped answering (etcd3 can wedge after
   * an auth token is refused, its keep-alives stuck behind it, never reporting the lease lost)
   * would leave the registration silent while its entry expires. A restart or a short outage
   * costs nothing (etcd restores the lease; etcd3 reports it lost after 2×TTL without keep-alives),
   * so this is said only once the entry has gone unread for longer than that, and once until a
   * read is answered again.
   */
  #unfollowed(err: unknown): void {
    if (this.#controller.signal.aborted || this.#unfollowedSaid || !this.registered) return;
    const now = performance.now();
    this.#unreadSince ??= now;
    if (now - this.#unreadSince <= 2 * this.#ttl * 1000) return;
    this.#unfollowedSaid = true;
    this.#report('could not read its own entry to follow it (is etcd, or the client, still answering? the entry stays only while the lease\'s keep-alives get through)', err);
  }

  /** The entry was deleted, or put without a lease, at `revision`: unless a put of ours came after it, write it again. */
  #lost(revision: number, deleted: boolean): void {
    if (this.#controller.signal.aborted) return;
    if (revision > this.#lostAt) this.#lostAt = revision;
    if (this.#written === undefined || this.#writtenAt >= revision) return;
    this.#written = undefined;
    if (deleted) this.#askLease = 'the entry was deleted while its lease lives; writing it again';
    else this.#report('the entry was overwritten without a lease (it would outlive stop() and a crash); writing it again under the lease', undefined);
    this.#kick();
  }

  /**
   * etcd answered at `revision`, below the registration's last put: it came back with an older
   * copy of its data. Revisions from before are of another history: forget them, and write the
   * entry again (the copy may hold an older value, even under the live lease).
   */
  #rewound(revision: number): void {
    if (this.#controller.signal.aborted) return;
    this.#writtenAt = 0;
    this.#lostAt = 0;
    if (this.#written === undefined) return;
    this.#written = undefined;
    this.#askLease = `etcd's history went back (revision ${revision}, below this registration's last write: restored from an older copy?); writing the entry again`;
    this.#kick();
  }

  get registered(): boolean {
    return this.#lease !== undefined && !this.#lease.revoked() && this.#written !== undefined;
  }

  update(endpoint: EtcdEndpointInit): Promise<boolean> {
    const { text } = toRecordText(SERVICE, 'endpoint', endpoint);
    if (this.#controller.signal.aborted) return Promise.resolve(false);
    this.#value = text;
    if (text === this.#written && this.registered && this.#putting === undefined) {
      // Written already; any update still pending was superseded by this one.
      for (const w of this.#writes.splice(0)) w.resolve(true);
      return Promise.resolve(true);
    }
    const written = new Promise<boolean>((resolve) => this.#writes.push({ value: text, resolve }));
    this.#kick();
    return written;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#controller.abort();
    this.#kick();
    await this.#running;
    await settlesWithin(systemClock, this.#syncing, STOP_TIMEOUT, false);
    const lease = this.#lease;
    this.#lease = undefined;
    this.#resolveReady(false);
    for (const w of this.#writes.splice(0)) w.resolve(false);
    // The watch on the entry, aborted, reacts to nothing more: its cancel (bounded) runs beside
    // the revoke rather than before it, so an etcd that stopped answering costs 2 s, not 4.
    await Promise.all([this.#following, lease === undefined ? undefined : this.#revoke(lease)]);
  }

  async #revoke(lease: Lease): Promise<void> {
    // revoke() stops the keep-alives at once, then asks etcd to delete the lease and its keys.
    const revoked = lease.revoke().then(() => true, (err: unknown) => {
      this.#report('could not revoke the lease; the entry expires with it', err);
      return true;
    });
    if (!(await settlesWithin(systemClock, revoked, STOP_TIMEOUT, false))) this.#report(`etcd did not answer the revoke within ${STOP_TIMEOUT} ms; the entry expires with the lease`, undefined);
  }

  async #run(): Promise<void> {
    const signal = this.#controller.signal;
    while (!signal.aborted) {
      try {
        await retrySource(() => (this.#syncing = this.#sync()), signal, (err) => this.#report('registration failed', err), this.#backoff);
      } catch {
        return; // only an abort ends retrySource
      }
      await this.#sleep();
    }
  }

  /** Makes the entry what it should be: a live lease, the current value written under it. */
  async #sync(): Promise<void> {
    const signal = this.#controller.signal;
    let lease = this.#lease;
    const asked = this.#askLease;
    if (asked !== undefined && lease !== undefined && !lease.revoked()) {
      // Deleted with its lease (revoked, expired) or alone (`etcdctl del`, a cleanup script)?
      // A keep-alive tells: a lost lease is reported as lost by its listener, and replaced.
      // Bounded: an etcd that does not answer must not hold the sync (and stop) for long.
      const alive = await lease.keepaliveOnce({ deadline: Date.now() + this.#ttl * 1000 }).then(() => true, (err: unknown) => {
        if (lease!.revoked() || this.#lease !== lease) return false;
        throw err;
      });
      // Stopped meanwhile (stop gave up waiting for this sync): no new lease may follow.
      if (signal.aborted) return;
      this.#askLease = undefined;
      if (alive) this.#report(asked, undefined);
      lease = this.#lease;
    }
    if (lease === undefined || lease.revoked()) {
      lease = this.#grant();
      try {
        // Bounded, as discovery's requests are: over a connection dead without a word etcd3 would wait for ever.
        await withTimeout(lease.grant(), ETCD_REQUEST_TIMEOUT, 'the grant of a lease');
      } catch (err) {
        lease.release();
        if (this.#lease === lease) this.#lease = undefined;
        throw err;
      }
    }
    while (!signal.aborted && this.#written !== this.#value && this.#lease === lease) {
      const value = this.#value;
      const lostBefore = this.#lostAt;
      let revision: number;
      this.#putting = value;
      try {
        revision = Number((await withTimeout(lease.put(this.key).value(value).exec(), ETCD_REQUEST_TIMEOUT, 'the put of the entry')).header.revision);
      } catch (err) {
        if (lease.revoked() && this.#lease === lease) this.#lease = undefined;
        throw err;
      } finally {
        this.#putting = undefined;
      }
      if (this.#lease !== lease) break; // lost meanwhile: the next sync writes again
      if (revision < this.#lostAt) {
        // Deleted or overwritten after this put (its answer came after the watch's news): write
        // again. A loss known before the put was sent cannot come after it in one history: etcd's
        // revisions went backwards (a fresh or restored etcd), and that loss was of the old one.
        if (this.#lostAt !== lostBefore) continue;
        this.#lostAt = 0;
      }
      this.#written = value;
      this.#writtenAt = revision;
      this.#resolveReady(true);
      // The newest value written answers every update before it too: they were superseded.
      const latest = value === this.#value;
      this.#writes = this.#writes.filter((w) => (latest || w.value === value ? (w.resolve(true), false) : true));
    }
  }

  /** A new lease, kept alive by etcd3; its loss (after it was granted) wakes the loop. */
  #grant(): Lease {
    // A sync that outlived stop() (etcd answered it late) must not leave a lease kept alive.
    if (this.#controller.signal.aborted) throw new EtcdError(this.key, `etcd registration of "${this.key}" was stopped`);
    const lease = this.#client.lease(this.#ttl, { autoKeepAlive: true });
    this.#lease = lease;
    this.#written = undefined;
    let granted = false;
    void lease.grant().then(() => { granted = true; }, () => {});
    lease.on('lost', (err: Error) => {
      // A grant that failed is reported by the sync that asked for it.
      if (!granted || this.#lease !== lease || this.#controller.signal.aborted) return;
      this.#lease = undefined;
      this.#report('lease lost; registering again', err);
      this.#kick();
    });
    return lease;
  }

  #sleep(): Promise<void> {
    if (this.#kicked || this.#controller.signal.aborted) {
      this.#kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = undefined;
        this.#kicked = false;
        resolve();
      };
    });
  }

  #kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  #report(what: string, cause: unknown): void {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    const err = new EtcdError(this.key, `etcd registration of "${this.key}": ${what}${detail}`, { cause });
    try {
      this.#onError(err);
    } catch {
      // a listener's own failure is not ours to raise
    }
  }
}
