// Following a key range in etcd (docs/architecture.md, "Discovery adapters"): a range read at
// one revision, paged (range-read.ts), then a watch from the next revision, so no change made
// between the two is lost. Whenever the watch breaks (etcd restarted or went away, the
// connection dropped, the watch was cancelled because its revision was compacted) the range is
// read again in full and watched from there, as etcd's own clientv3 mirror (SyncBase, then
// SyncUpdates) does. A fresh read, rather than resuming the old watch, also copes with an etcd
// that came back with older data (a restore), whose revisions went backwards.
import type { IKeyValue, Namespace, Watcher } from 'etcd3';
import { retrySource, sleep } from '../discovery/support.js';
import { ETCD_REQUEST_TIMEOUT, RangeReader, withTimeout } from './range-read.js';
import { messageOf } from '../message-of.js';

export { prefixEnd } from './range-read.js';

/** What a follower needs of the user's etcd3 client: an `Etcd3`, or a namespace of one. */
export type EtcdClient = Pick<Namespace, 'get' | 'getAll' | 'watch' | 'lease'>;

/** A key range: every key under `prefix`, or the one `key`. */
export type KeyRange = { readonly prefix: string } | { readonly key: string };

/** One change a watch reported. */
export interface RangeChange {
  readonly type: 'put' | 'delete';
  readonly kv: IKeyValue;
}

/** Where a follower reports. */
export interface RangeSink {
  /** A read of the range is about to be sent (before each `reset`). */
  reading?(): void;
  /** The whole range as of `revision`: everything known before is replaced. */
  reset(kvs: readonly IKeyValue[], revision: number): void;
  /** The changes of one watch response, in revision order. */
  changes(changes: readonly RangeChange[]): void;
  /** A failed read or a broken watch; the follower tries again with backoff. */
  error(err: unknown): void;
}

/** How a follower reads and re-tries. */
export interface FollowOptions {
  readonly backoff: { readonly min: number; readonly max: number };
  /** The most keys per range request of a read (fewer when the records are large: range-read.ts). */
  readonly pageSize: number;
  /** Longest wait for etcd to confirm a cancelled watch (on stop, or after its creation timed out), ms. */
  readonly cancelTimeout: number;
}

/**
 * Keys per range request when reading a prefix: 1 000, the `batchLimit` of etcd's clientv3
 * mirror (`client/v3/mirror/syncer.go`), which reads a prefix at one revision in pages.
 */
export const ETCD_PAGE_SIZE = 1_000;

/**
 * Reads `range`, reports it with `sink.reset`, then watches it from the next revision and
 * reports every change, re-reading and re-watching after anything breaks, until `signal`
 * aborts. Resolves once stopped, with the watch cancelled; never rejects.
 *
 * @example
 * await followRange(etcd, { prefix: 'services/users/' }, sink, controller.signal, options);
 */
export async function followRange(client: EtcdClient, range: KeyRange, sink: RangeSink, signal: AbortSignal, options: FollowOptions): Promise<void> {
  const reader = new RangeReader(client, range, options.pageSize, signal);
  // Cancels of watches given up on before etcd confirmed them, still under way: a stop waits for them.
  const cancelling = new Set<Promise<void>>();
  const track = (cancel: Promise<void>): void => {
    cancelling.add(cancel);
    void cancel.then(() => cancelling.delete(cancel));
  };
  try {
    await follow(client, range, reader, sink, signal, options, track);
  } finally {
    await Promise.all(cancelling);
  }
}

/** The loop of {@link followRange}: read-then-watch, and again after the watch ends, until `signal` aborts. */
async function follow(client: EtcdClient, range: KeyRange, reader: RangeReader, sink: RangeSink, signal: AbortSignal, options: FollowOptions, track: (cancel: Promise<void>) => void): Promise<void> {
  const minGap = options.backoff.min;
  while (!signal.aborted) {
    // The attempt in flight, once it has made a watch: its outcome (the session, or undefined).
    let watching: Promise<WatchSession | undefined> = Promise.resolve(undefined);
    const attempt = (): Promise<WatchSession> => startSession(client, range, reader, sink, signal, options, track, (established) => {
      watching = established.catch(() => undefined);
    });
    let session: WatchSession;
    try {
      session = await retrySource(attempt, signal, (err) => sink.error(err), options.backoff);
    } catch {
      // Only an abort ends retrySource, and it gives up on the attempt in flight at once; a watch
      // that attempt made must still be cancelled before we resolve. One not yet confirmed is
      // cancelled by the attempt itself (tracked, bounded by cancelTimeout); one just confirmed, here.
      await (await watching)?.close(options.cancelTimeout);
      return;
    }
    const started = Date.now();
    const reason = await session.ended;
    await session.close(options.cancelTimeout);
    if (signal.aborted) return;
    // A compacted revision is not a failure: the fresh read below catches up.
    if (!isCompaction(reason)) sink.error(reason);
    // A watch that breaks as soon as it is made must not turn this loop into a busy one.
    if (Date.now() - started < minGap) await sleep(minGap, signal);
  }
}

interface WatchSession {
  /** Resolves with why the watch ended (an error, or the abort). */
  readonly ended: Promise<unknown>;
  /** Cancels the watch, waiting at most `ms` for etcd to confirm. */
  close(ms: number): Promise<void>;
}

/**
 * One read-then-watch: resolves once the watch is established, rejects if either step fails.
 * `onWatch` hears the outcome as soon as the watch is made, so that a stop can wait for it.
 */
async function startSession(client: EtcdClient, range: KeyRange, reader: RangeReader, sink: RangeSink, signal: AbortSignal, options: FollowOptions, track: (cancel: Promise<void>) => void, onWatch: (established: Promise<WatchSession>) => void): Promise<WatchSession> {
  sink.reading?.();
  const { kvs, revision } = await reader.read();
  if (signal.aborted) return { ended: Promise.resolve(signal.reason), close: async () => {} };
  sink.reset(kvs, Number(revision));
  // The reset runs the user's listeners, which may stop us: then no watch is made (the abort
  // listener below would never fire, and the watch would outlive the stop).
  if (signal.aborted) return { ended: Promise.resolve(signal.reason), close: async () => {} };
  const builder = client.watch();
  if ('key' in range) builder.key(range.key);
  else builder.prefix(range.prefix);
  // Listeners go on before etcd answers: the events of one network read are emitted together,
  // and a listener added after `create()` resolves could miss the first of them.
  const watcher: Watcher = builder.startRevision((BigInt(revision) + 1n).toString()).watcher();
  let settle!: (reason: unknown) => void;
  const ended = new Promise<unknown>((resolve) => { settle = resolve; });
  let cancelledByEtcd = false;
  const onAbort = (): void => settle(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  watcher.on('data', (res) => {
    const changes: RangeChange[] = [];
    for (const ev of res.events) changes.push({ type: ev.type === 'Delete' ? 'delete' : 'put', kv: ev.kv });
    if (changes.length === 0) return; // a progress notification
    // etcd3 re-throws a listener's error outside any handler: it must not get one.
    try {
      sink.changes(changes);
    } catch (err) {
      sink.error(err);
    }
  });
  watcher.on('disconnected', (err) => settle(err));
  watcher.on('error', (err) => {
    cancelledByEtcd = true; // etcd cancelled it (compaction, permissions): nothing left to cancel
    settle(err);
  });
  const close = async (ms: number): Promise<void> => {
    signal.removeEventListener('abort', onAbort);
    watcher.removeAllListeners('data');
    if (cancelledByEtcd) return;
    // A watch the server no longer knows is never confirmed: wait a bounded time.
    await boundedWait(watcher.cancel().catch(() => {}), ms);
  };
  const connected = new Promise<void>((resolve, reject) => {
    watcher.once('connected', () => resolve());
    void ended.then(reject);
  });
  const established = (async (): Promise<WatchSession> => {
    try {
      // etcd3 never confirms a watch created after one that etcd refused at creation (its attach
      // queue stalls until the stream is made again, e.g. after an expired auth token): without
      // a limit the follower would wait, silent, for ever.
      await withTimeout(connected, ETCD_REQUEST_TIMEOUT, 'the creation of the watch', signal);
    } catch (err) {
      // etcd3 sends the cancel only once etcd confirms the watch, which may never happen: it goes
      // on (bounded, and awaited by a stop) while the failure is reported and the read retried.
      track(close(options.cancelTimeout));
      throw err instanceof Error ? err : new Error(`etcd watch ended before it was established: ${messageOf(err)}`);
    }
    return { ended, close };
  })();
  onWatch(established);
  return established;
}

/**
 * Whether etcd cancelled the watch because its start revision was compacted: etcd 3.4 cancels
 * it with an empty reason (etcd3 reports "Watcher canceled: "), later versions say "required
 * revision has been compacted".
 */
function isCompaction(err: unknown): boolean {
  return err instanceof Error && (/compacted/i.test(err.message) || /^Watcher canceled:\s*$/.test(err.message));
}

function boundedWait(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
