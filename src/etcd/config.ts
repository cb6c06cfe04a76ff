// etcdConfig (README, "Live configuration"): a ConfigSource reading one etcd key that holds a
// JSON document of live options, kept by a read and a watch from the next revision
// (follow.ts), so a change is seen within one watch round trip and survives etcd restarts.
import type { ConfigSource } from '../config/live.js';
import { parseRecord, type SourceBackoff } from '../discovery/support.js';
import { followRange } from './follow.js';
import type { EtcdClient } from './follow.js';
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { checkBackoff, checkClient, checkKey, keyName } from './options.js';
import { ConfigError } from '../errors.js';
import { EtcdError } from './errors.js';
import { messageOf } from '../message-of.js';

/** Options of {@link etcdConfig}. */
export interface EtcdConfigOptions {
  /** Your etcd3 client (`new Etcd3({ hosts })`, or a `namespace()` of one). bulwark never creates, nor closes, one. */
  readonly client: EtcdClient;
  /** The key holding the JSON document, e.g. `'config/users'`. */
  readonly key: string;
  /** Backoff between attempts after etcd failed; default 1 s doubling to 30 s, jittered (every bulwark adapter's backoff). */
  readonly backoff?: SourceBackoff | undefined;
}

const SERVICE = 'etcdConfig';
const KEYS = tableKeys({ client: true, key: true, backoff: true } satisfies Table<EtcdConfigOptions>, `an option of ${SERVICE}`);

/**
 * A configuration source for `client.watchConfig`: the JSON document under one etcd key, e.g.
 * `{"retry":false}` or `{"timeout":{"attempt":500},"hedge":{"delay":"p95"}}`. It delivers the
 * document when it starts (if the key exists) and every time the key's value changes. A value
 * that is not a JSON object (or is over 64 KiB, or holds a `__proto__`/`constructor`/
 * `prototype` key) is reported with `error` and not delivered, so the client keeps its last
 * good configuration and emits `configRejected`; so is the key's deletion. When etcd goes
 * away, failures are reported and the key is read and watched again with backoff.
 *
 * @example
 * import { Etcd3 } from 'etcd3';
 * import { etcdConfig } from 'bulwark/etcd';
 * const etcd = new Etcd3({ hosts: 'http://127.0.0.1:2379' });
 * const stop = users.watchConfig(etcdConfig({ client: etcd, key: 'config/users' }));
 * // elsewhere: etcdctl put config/users '{"retry":false}'
 */
export function etcdConfig(options: EtcdConfigOptions): ConfigSource {
  if (options === null || typeof options !== 'object') throw new ConfigError(SERVICE, 'options', 'must be an object { client, key }', options);
  checkKeys(SERVICE, options, '', KEYS);
  const client = checkClient(SERVICE, options.client);
  const key = checkKey(SERVICE, 'key', options.key);
  const backoff = checkBackoff(SERVICE, options.backoff);
  const name = keyName(key);
  return {
    watch(update, error) {
      // The value last seen: an unchanged value (after a re-read) is not delivered twice.
      let last: Buffer | undefined;
      const seen = (value: Buffer | undefined): void => {
        if (value === undefined) {
          if (last !== undefined) error(new EtcdError(name, `etcd config key "${name}" was deleted; keeping the last configuration`));
          last = undefined;
          return;
        }
        if (last !== undefined && last.equals(value)) return;
        last = value;
        const document = parseRecord(value);
        if (typeof document === 'string') error(new EtcdError(name, `etcd config key "${name}": ${document}; keeping the last configuration`));
        else update(document);
      };
      const controller = new AbortController();
      const running = followRange(client, { key }, {
        reset: (kvs) => seen(kvs[0]?.value),
        changes: (changes) => {
          // Only the newest state of the key matters (a response can carry several revisions).
          const { type, kv } = changes[changes.length - 1]!;
          seen(type === 'delete' ? undefined : kv.value);
        },
        error: (err) => error(new EtcdError(name, `etcd config key "${name}": ${messageOf(err)}`, { cause: err })),
      }, controller.signal, { backoff, pageSize: 1, cancelTimeout: 2_000 });
      return async () => {
        controller.abort();
        await running;
      };
    },
  };
}
