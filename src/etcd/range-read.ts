// The full read of a key range that follow.ts starts from: every key at one revision, in pages,
// as etcd's clientv3 mirror reads a prefix. Three things etcd and the etcd3 client do not take
// care of are handled here: a page must fit what etcd3 can receive in one response, a request
// etcd never answers must end, and a revision compacted between two pages calls for a fresh
// read, not a failure.
import type { IKeyValue, IRangeResponse } from 'etcd3';
import type { EtcdClient, KeyRange } from './follow.js';
import { abandonOnAbort } from '../discovery/support.js';
import { keyName } from './options.js';
import { messageOf } from '../message-of.js';

/**
 * Longest wait for etcd to answer one request of a follower (a page of the read, the creation
 * of its watch), ms. etcd fails a request it cannot serve after its own request timeout (5 s +
 * 2 × the election timeout: 7 s with default flags, `ReqTimeout` in etcd's server config), so
 * an etcd silent for longer is stalled, not slow; and the etcd3 client sets no deadline, so
 * without one the follower would wait for ever.
 */
export const ETCD_REQUEST_TIMEOUT = 10_000;

/**
 * What etcd3 accepts in one response: grpc-js's default `grpc.max_receive_message_length`,
 * 4 MiB (etcd3 sets none, while etcd's Go client takes up to 2 GiB).
 */
const RECEIVE_LIMIT = 4 * 1024 * 1024;

/** Bytes a page aims at: half the limit, so that it still fits if its records are up to twice the largest seen before it. */
const PAGE_BYTES = RECEIVE_LIMIT / 2;

/** Keys of a read's first page, before any record's size is known: 32 of bulwark's largest valid records (64 KiB) make 2 MiB. */
const FIRST_PAGE = 32;

/** Bytes a record takes in a range response beyond its key and value (revisions, version, lease): a generous bound. */
const RECORD_OVERHEAD = 64;

/** Reads in a row whose revision may be compacted before the last page: past that, etcd compacts faster than we read, and it is reported. */
const COMPACTED_READS = 3;

/** A range as of one revision. */
export interface RangeSnapshot {
  readonly kvs: IKeyValue[];
  readonly revision: string;
}

/**
 * Reads one key range in full, each time a follower (re)starts. Pages are sized by the bytes of
 * the records read so far, not only by `pageSize` keys, because a response over the receive limit
 * costs more than one failed read: etcd3 tries it three times, and its default circuit breaker
 * then fails every call of the user's client for 5 s. A page over the limit all the same is read
 * again with at most half the keys, and the pages after it (in this read and the later ones) keep
 * the smaller size.
 */
export class RangeReader {
  readonly #client: EtcdClient;
  readonly #range: KeyRange;
  /** The most keys a page may ask for: `pageSize`, lowered for good by a page over the limit. */
  #cap: number;

  /** The follower's stop: a read in flight is given up at once (see {@link withTimeout}). */
  readonly #signal: AbortSignal | undefined;

  constructor(client: EtcdClient, range: KeyRange, pageSize: number, signal?: AbortSignal) {
    this.#signal = signal;
    this.#client = client;
    this.#range = range;
    this.#cap = pageSize;
  }

  /**
   * All of the range at one revision. A revision compacted before the last page was read starts
   * the read again at once, from the first page (a fresh read is what the follower would do
   * anyway); only `COMPACTED_READS` such reads in a row fail.
   */
  async read(): Promise<RangeSnapshot> {
    const range = this.#range;
    if ('key' in range) {
      const res = await withTimeout(this.#client.get(range.key).exec(), ETCD_REQUEST_TIMEOUT, 'a read of the key', this.#signal);
      return { kvs: res.kvs, revision: res.header.revision };
    }
    for (let reads = 1; ; reads++) {
      try {
        return await this.#readPages(range.prefix);
      } catch (err) {
        if (!isRevisionCompacted(err) || reads >= COMPACTED_READS) throw err;
      }
    }
  }

  /** One read of the prefix, every page at the revision of the first. */
  async #readPages(prefix: string): Promise<RangeSnapshot> {
    const end = prefixEnd(Buffer.from(prefix));
    const kvs: IKeyValue[] = [];
    let start = Buffer.from(prefix);
    let revision: string | undefined;
    let largest = 0; // bytes of the largest record read so far
    let left: number | undefined; // keys from `start` on, once a response said
    for (;;) {
      const fit = largest === 0 ? FIRST_PAGE : Math.max(1, Math.floor(PAGE_BYTES / largest));
      const res = await this.#page(start, end, Math.min(this.#cap, fit), revision, left);
      revision ??= res.header.revision;
      // `count` is every key of [start, end) at that revision, not only the page's.
      left = Number.isSafeInteger(Number(res.count)) ? Number(res.count) - res.kvs.length : undefined;
      for (const kv of res.kvs) largest = Math.max(largest, kv.key.length + kv.value.length + RECORD_OVERHEAD);
      kvs.push(...res.kvs);
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || last === undefined) return { kvs, revision };
      start = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  /**
   * `limit` keys from `start`, at least halving `limit` (and the cap) while the response is over
   * the receive limit. A re-read that fails otherwise says so: with etcd3's default circuit
   * breaker it is refused for 5 s, and the next read starts with the smaller cap.
   */
  async #page(start: Buffer, end: Buffer, limit: number, revision: string | undefined, left: number | undefined): Promise<IRangeResponse> {
    let overLimit: unknown;
    for (;;) {
      const builder = this.#client.getAll().inRange({ start, end }).limit(limit);
      // Later pages read the revision the first page saw: one consistent snapshot.
      if (revision !== undefined) builder.revision(revision);
      try {
        return await withTimeout(builder.exec(), ETCD_REQUEST_TIMEOUT, `a page of ${limit} keys`, this.#signal);
      } catch (err) {
        if (!isOverReceiveLimit(err)) {
          if (overLimit === undefined || isRevisionCompacted(err)) throw err;
          throw new Error(`a page of keys was over the 4 MiB etcd3 receives in one response (${messageOf(overLimit)}), and reading ${limit} keys instead failed: ${messageOf(err)}`, { cause: err });
        }
        overLimit = err;
        if (limit === 1) throw await this.#tooLarge(start, end, revision, err);
        limit = smallerPage(limit, Math.min(limit, left ?? limit), err);
        this.#cap = Math.min(this.#cap, limit);
      }
    }
  }

  /** The failure of a single record over the receive limit, naming its key (found by a keys-only read), never its value. */
  async #tooLarge(start: Buffer, end: Buffer, revision: string | undefined, cause: unknown): Promise<Error> {
    // Later pages start just after the last key read: the key is the one following it.
    let name = revision === undefined ? 'the first key of the range' : `the key after "${keyName(start.subarray(0, -1))}"`;
    try {
      const builder = this.#client.getAll().inRange({ start, end }).limit(1);
      if (revision !== undefined) builder.revision(revision);
      const [key] = await withTimeout(builder.keys(), ETCD_REQUEST_TIMEOUT, 'a read of one key name', this.#signal);
      if (key !== undefined) name = `key "${keyName(key)}"`;
    } catch {
      // The record's size is the failure to report; its name is only a help.
    }
    return new Error(`${name} holds a record over the 4 MiB etcd3 receives in one response (gRPC's max_receive_message_length), so the range cannot be read`, { cause });
  }
}

/**
 * `promise`, or a rejection once `ms` passed without an answer. The request is abandoned, not
 * cancelled: a gRPC deadline in its call options would replace any the user set on their client,
 * and etcd3 counts a deadline against their client's circuit breaker. A late answer is ignored.
 * `signal` (the follower's stop) ends the wait at once, timer included: none outlives a stop.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  const watched = signal === undefined ? promise : abandonOnAbort(promise, signal);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`etcd did not answer ${what} within ${ms / 1_000} s`)), ms);
    timer.unref();
    watched.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** The first key after every key starting with `prefix` (etcd's `GetPrefixRangeEnd`). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all 0xff: no end, read to the last key
}

/**
 * Keys to ask for after a page of `limit` (holding `held` records) was over the receive limit:
 * half, or fewer when grpc-js said how large the response was ("larger than max (5087340 vs
 * 4194304)"), so that a page of records much larger than expected fits at the next try rather
 * than after several (each of which, with etcd3's default circuit breaker, costs 5 s).
 */
function smallerPage(limit: number, held: number, err: unknown): number {
  const received = /larger than max \((\d+) vs \d+\)/.exec(messageOf(err))?.[1];
  const fit = received === undefined ? limit : Math.floor((held * PAGE_BYTES) / Number(received));
  return Math.max(1, Math.min(Math.floor(limit / 2), fit));
}

/** Whether a response was refused by grpc-js for its size (RESOURCE_EXHAUSTED, code 8, with grpc-js's own message). */
function isOverReceiveLimit(err: unknown): boolean {
  return /Received message larger than max/.test(messageOf(err));
}

/** Whether a read at a given revision failed because etcd compacted it (OUT_OF_RANGE, code 11). */
function isRevisionCompacted(err: unknown): boolean {
  return /required revision has been compacted/.test(messageOf(err));
}
