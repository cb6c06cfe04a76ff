// etcdDiscovery (README, "etcd"): the endpoints registered under a key prefix, kept by a
// range read and a watch (follow.ts). Each key holds one instance as bulwark's JSON record.
import type { Discovery } from '../discovery/discovery.js';
import { endpointProblem, parseRecord, recordToEndpoint, type SourceBackoff } from '../discovery/support.js';
import type { EndpointInit } from '../endpoints/endpoint.js';
import { ETCD_PAGE_SIZE, followRange, type EtcdClient, type RangeChange } from './follow.js';
import type { IKeyValue } from 'etcd3';
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { checkBackoff, checkClient, checkCount, checkKey, keyName } from './options.js';
import { ConfigError } from '../errors.js';
import { EtcdError } from './errors.js';
import { messageOf } from '../message-of.js';

/** Options of {@link etcdDiscovery}. */
export interface EtcdDiscoveryOptions {
  /** Your etcd3 client (`new Etcd3({ hosts })`, or a `namespace()` of one). bulwark never creates, nor closes, one. */
  readonly client: EtcdClient;
  /** The key prefix whose keys are the instances, e.g. `'services/users/'` (end it with `/`: `'services/users'` also matches `services/users-admin/…`). */
  readonly prefix: string;
  /** Backoff between attempts to read and watch again after etcd failed; default 1 s doubling to 30 s, jittered (every bulwark adapter's backoff). */
  readonly backoff?: SourceBackoff | undefined;
  /** Keys per range request of a full read; default 1 000 (the `batchLimit` of etcd's clientv3 mirror). */
  readonly pageSize?: number | undefined;
}

/** The metadata key under which each endpoint carries the etcd key it came from. */
export const ETCD_KEY_METADATA = 'etcd.key';

const SERVICE = 'etcdDiscovery';
const KEYS = tableKeys({ client: true, prefix: true, backoff: true, pageSize: true } satisfies Table<EtcdDiscoveryOptions>, `an option of ${SERVICE}`);

/**
 * Discovers the instances registered under an etcd key prefix, with your `etcd3` client. Each
 * key under the prefix is one instance; its value is bulwark's JSON endpoint record:
 *
 * ```json
 * {"host":"10.0.0.1","port":8080,"weight":1,"priority":0,"zone":"eu-1","metadata":{"version":"1.4.2"}}
 * ```
 *
 * (`host` and `port` required; `protocol`, `weight`, `priority`, `zone`, `metadata` (strings),
 * `basePath` optional; at most 64 KiB). It reads the prefix, then watches it from the next
 * revision, so no change in between is lost, and pushes the complete set after every change.
 * A value that is not such a record is dropped with an `endpointRejected` event naming its key
 * (never its value). When etcd goes away, the client keeps the last good set and emits
 * `discoveryError`; the read and the watch are tried again with backoff, and a fresh read
 * catches up with whatever changed meanwhile.
 *
 * @example
 * import { Etcd3 } from 'etcd3';
 * import { createClient } from 'bulwark';
 * import { etcdDiscovery } from 'bulwark/etcd';
 * const etcd = new Etcd3({ hosts: 'http://127.0.0.1:2379' });
 * const users = createClient({ name: 'users', discovery: etcdDiscovery({ client: etcd, prefix: 'services/users/' }) });
 */
export function etcdDiscovery(options: EtcdDiscoveryOptions): Discovery {
  if (options === null || typeof options !== 'object') throw new ConfigError(SERVICE, 'options', 'must be an object { client, prefix }', options);
  checkKeys(SERVICE, options, '', KEYS);
  const client = checkClient(SERVICE, options.client);
  const prefix = checkKey(SERVICE, 'prefix', options.prefix);
  const backoff = checkBackoff(SERVICE, options.backoff);
  const pageSize = checkCount(SERVICE, 'pageSize', options.pageSize, ETCD_PAGE_SIZE, 10_000);
  return {
    watch(update, error, rejected) {
      const set = new InstanceSet(prefix, update, error, rejected);
      const controller = new AbortController();
      const running = followRange(client, { prefix }, {
        reset: (kvs) => set.reset(kvs),
        changes: (changes) => set.apply(changes),
        error: (err) => error(describeFailure(prefix, err)),
      }, controller.signal, { backoff, pageSize, cancelTimeout: 2_000 });
      return async () => {
        controller.abort();
        await running;
      };
    },
  };
}

interface Instance {
  readonly value: Buffer;
  /** The endpoint, or `undefined` when the value was rejected. */
  readonly endpoint: EndpointInit | undefined;
}

/** The instances under the prefix, by key; pushes the complete set when it changes. */
class InstanceSet {
  #instances = new Map<string, Instance>();
  readonly #prefix: string;
  readonly #update: (endpoints: readonly EndpointInit[]) => void;
  readonly #error: (err: unknown) => void;
  readonly #rejected: (entry: unknown, reason: string) => void;

  constructor(prefix: string, update: (endpoints: readonly EndpointInit[]) => void, error: (err: unknown) => void, rejected: (entry: unknown, reason: string) => void) {
    this.#prefix = prefix;
    this.#update = update;
    this.#error = error;
    this.#rejected = rejected;
  }

  /** A full read: replaces everything. Keys whose value did not change keep their parsed entry (and are not reported again). */
  reset(kvs: readonly IKeyValue[]): void {
    const previous = this.#instances;
    this.#instances = new Map();
    for (const kv of kvs) {
      const key = kv.key.toString('utf8');
      const old = previous.get(key);
      this.#instances.set(key, old !== undefined && old.value.equals(kv.value) ? old : this.#read(key, kv.value));
    }
    this.#push();
  }

  /** One watch response: pushes once, if anything changed. */
  apply(changes: readonly RangeChange[]): void {
    let changed = false;
    for (const { type, kv } of changes) {
      const key = kv.key.toString('utf8');
      const old = this.#instances.get(key);
      if (type === 'delete') {
        changed = this.#instances.delete(key) || changed;
      } else if (old === undefined || !old.value.equals(kv.value)) {
        this.#instances.set(key, this.#read(key, kv.value));
        changed = true;
      }
    }
    if (changed) this.#push();
  }

  #read(key: string, value: Buffer): Instance {
    const endpoint = toEndpoint(key, value);
    if (typeof endpoint === 'string') {
      this.#rejected(keyName(key), endpoint);
      return { value, endpoint: undefined };
    }
    return { value, endpoint };
  }

  #push(): void {
    const endpoints: EndpointInit[] = [];
    for (const { endpoint } of this.#instances.values()) if (endpoint !== undefined) endpoints.push(endpoint);
    if (endpoints.length === 0 && this.#instances.size > 0) {
      // Keys, but none usable: a broken registry, not an empty service (as the client treats a set with no valid entry).
      this.#error(new EtcdError(this.#prefix, `etcd prefix "${this.#prefix}" holds ${this.#instances.size} entries and none is a valid endpoint; keeping the last good set`));
      return;
    }
    this.#update(endpoints);
  }
}

/** A value as an endpoint, or why it cannot be one (never quoting the value). */
function toEndpoint(key: string, value: Buffer): EndpointInit | string {
  const record = parseRecord(value);
  if (typeof record === 'string') return record;
  const init = recordToEndpoint(record);
  if (typeof init === 'string') return init;
  const problem = endpointProblem(init);
  if (problem !== undefined) return problem;
  if (typeof init === 'object') return { ...init, metadata: { ...init.metadata, [ETCD_KEY_METADATA]: keyName(key) } };
  return init;
}

function describeFailure(prefix: string, err: unknown): Error {
  return new EtcdError(prefix, `etcd discovery of prefix "${prefix}": ${messageOf(err)}`, { cause: err });
}
