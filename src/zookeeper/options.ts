// Options of the ZooKeeper adapters, their defaults and their validation (a ConfigError naming
// the option, thrown when the adapter is created).
import { randomUUID } from 'node:crypto';
import { checkMs, checkSourceBackoff, parseRecord, type SourceBackoff, type SourceDelays } from '../discovery/support.js';
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import { INSTANCE_KEYS, writeRecord, type CuratorTls, type ReadOptions, type ZookeeperFormat, type ZookeeperInstance } from './formats.js';
import { isZookeeperClient, type ZookeeperClientOption } from './session.js';
import { EndpointParseError, parseEndpoint } from '../endpoints/parse.js';

/** Options of {@link zookeeperDiscovery}. */
export interface ZookeeperDiscoveryOptions {
  /**
   * A node-zookeeper-client `Client`, or a function returning a new, unconnected one (recommended:
   * bulwark then connects it, opens a new session when one expires, and closes it on stop).
   */
  readonly client: ZookeeperClientOption;
  /** The znode whose children are the service's instances, e.g. `/services/users` (Curator: `basePath/name`). */
  readonly path: string;
  /** The children's record format; default `'auto'`: told apart by their fields. */
  readonly format?: ZookeeperFormat | undefined;
  /** Scheme for records that carry none (serverset members, Curator's plain `port`); default `'http'`. */
  readonly protocol?: string | undefined;
  /** Curator instances with an `sslPort`: `'prefer'` it as https (default), `'never'` use it, or use `'only'` it. */
  readonly tls?: CuratorTls | undefined;
  /** Serverset: use this entry of `additionalEndpoints` instead of `serviceEndpoint` (Finagle's `zk2!…!name`). */
  readonly endpointName?: string | undefined;
  /**
   * Longest wait for one ZooKeeper answer (or for a connection), ms; default two thirds of the
   * session timeout, ZooKeeper's Java client's read timeout (20 s with the 30 s default).
   */
  readonly requestTimeout?: number | undefined;
  /** Backoff between failed reads; default 1 s doubling to 30 s, jittered (every bulwark adapter's backoff). */
  readonly backoff?: SourceBackoff | undefined;
}

/** Options of {@link zookeeperRegistration}. */
export interface ZookeeperRegistrationOptions {
  /** As for discovery; with an instance, bulwark can not register again after its session expired. */
  readonly client: ZookeeperClientOption;
  /** The znode to register under (created, with its parents, as persistent nodes if missing). */
  readonly path: string;
  /** This service instance: its host and port, and what its record format carries. */
  readonly instance: ZookeeperInstance;
  /** The record written; default `'bulwark'`. */
  readonly format?: Exclude<ZookeeperFormat, 'auto'> | undefined;
  /** The node's name; default a random UUID (Curator: the instance id), `member_` for serversets. */
  readonly node?: string | undefined;
  /** Create an ephemeral sequential node (ZooKeeper appends a counter); default `true` for serversets, `false` otherwise. */
  readonly sequential?: boolean | undefined;
  /** As for discovery. */
  readonly requestTimeout?: number | undefined;
  readonly backoff?: SourceBackoff | undefined;
  /** Hears each failed attempt to register (it is retried with backoff); default none. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

const DISCOVERY_KEYS = tableKeys({
  client: true, path: true, format: true, protocol: true, tls: true, endpointName: true, requestTimeout: true, backoff: true,
} satisfies Table<ZookeeperDiscoveryOptions>, 'an option of zookeeperDiscovery');

const REGISTRATION_KEYS = tableKeys({
  client: true, path: true, instance: true, format: true, node: true, sequential: true, requestTimeout: true, backoff: true, onError: true,
} satisfies Table<ZookeeperRegistrationOptions>, 'an option of zookeeperRegistration');

export interface ResolvedDiscoveryOptions {
  readonly client: ZookeeperClientOption;
  readonly path: string;
  readonly read: ReadOptions;
  readonly requestTimeout: number | undefined;
  readonly backoff: SourceDelays;
}

export interface ResolvedRegistrationOptions {
  readonly client: ZookeeperClientOption;
  readonly path: string;
  readonly instance: ZookeeperInstance;
  readonly format: Exclude<ZookeeperFormat, 'auto'>;
  readonly node: string;
  readonly sequential: boolean;
  readonly requestTimeout: number | undefined;
  readonly backoff: SourceDelays;
  readonly onError: (error: unknown) => void;
}

const FORMATS = ['auto', 'curator', 'serverset', 'bulwark'] as const;
const TLS = ['prefer', 'never', 'only'] as const;

/** Validates zookeeperDiscovery's options; throws ConfigError naming a bad value or an unknown key. */
export function resolveDiscoveryOptions(options: ZookeeperDiscoveryOptions): ResolvedDiscoveryOptions {
  const name = 'zookeeperDiscovery';
  const o = object(name, options);
  checkKeys(name, o, '', DISCOVERY_KEYS);
  const format = oneOf(name, 'format', o.format, FORMATS) ?? 'auto';
  const protocol = scheme(name, o.protocol) ?? 'http';
  const tls = oneOf(name, 'tls', o.tls, TLS) ?? 'prefer';
  if (o.endpointName !== undefined && (typeof o.endpointName !== 'string' || o.endpointName === '')) throw new ConfigError(name, 'endpointName', 'must be a non-empty string', o.endpointName);
  return {
    client: client(name, o.client),
    path: znodePath(name, o.path),
    read: { format, protocol, tls, endpointName: o.endpointName },
    requestTimeout: positive(name, 'requestTimeout', o.requestTimeout),
    backoff: checkSourceBackoff(name, o.backoff),
  };
}

/** Validates zookeeperRegistration's options (`instance`'s keys too); throws ConfigError naming a bad value or an unknown key. */
export function resolveRegistrationOptions(options: ZookeeperRegistrationOptions): ResolvedRegistrationOptions {
  const name = 'zookeeperRegistration';
  const o = object(name, options);
  checkKeys(name, o, '', REGISTRATION_KEYS);
  const format = oneOf(name, 'format', o.format, ['curator', 'serverset', 'bulwark'] as const) ?? 'bulwark';
  const i = o.instance as ZookeeperInstance | undefined;
  if (i === null || typeof i !== 'object') throw new ConfigError(name, 'instance', 'must be an object { host, port }', i);
  checkKeys(name, i, 'instance.', INSTANCE_KEYS);
  if (typeof i.host !== 'string' || i.host === '' || /[\s/]/.test(i.host)) throw new ConfigError(name, 'instance.host', 'must be a host name or IP address', i.host);
  if (typeof i.port !== 'number' || !Number.isInteger(i.port) || i.port < 1 || i.port > 65_535) throw new ConfigError(name, 'instance.port', 'must be an integer from 1 to 65535', i.port);
  const protocol = scheme(name, i.protocol, 'instance.protocol');
  if (format === 'curator' && protocol !== undefined && protocol !== 'http' && protocol !== 'https') throw new ConfigError(name, 'instance.protocol', "must be 'http' or 'https' in a Curator record", i.protocol);
  // What every reader will check: an instance no discoverer would take is refused now, not written.
  try {
    parseEndpoint({ host: i.host, port: i.port, protocol, weight: i.weight, priority: i.priority, zone: i.zone, metadata: i.metadata, basePath: i.basePath });
  } catch (err) {
    if (err instanceof EndpointParseError) throw new ConfigError(name, `instance${err.field}`, err.expected, err.value);
    throw err;
  }
  const sequential = o.sequential ?? format === 'serverset';
  if (typeof sequential !== 'boolean') throw new ConfigError(name, 'sequential', 'must be a boolean', o.sequential);
  const node = o.node ?? (format === 'serverset' ? 'member_' : randomUUID());
  if (typeof node !== 'string' || node === '' || node.includes('/') || node === '.' || node === '..') throw new ConfigError(name, 'node', 'must be a znode name (no "/", not "." or "..")', typeof node === 'string' ? printable(node) : node);
  const refusedNode = refusedCharacter(name, 'node', node);
  if (refusedNode !== undefined) throw refusedNode;
  if (o.onError !== undefined && typeof o.onError !== 'function') throw new ConfigError(name, 'onError', 'must be a function', o.onError);
  const path = znodePath(name, o.path);
  const instance = protocol === undefined ? i : { ...i, protocol };
  // What readers would drop as a record (over 64 KiB, a `__proto__` metadata key) is refused too.
  const text = writeRecord(instance, format, node, path === '/' ? '' : path.slice(path.lastIndexOf('/') + 1), sequential, 0);
  const check = parseRecord(text);
  if (typeof check === 'string') throw new ConfigError(name, 'instance', `cannot be registered: ${check}`, `${text.slice(0, 64)}…`);
  return {
    client: client(name, o.client),
    path,
    instance,
    format, node, sequential,
    requestTimeout: positive(name, 'requestTimeout', o.requestTimeout),
    backoff: checkSourceBackoff(name, o.backoff),
    onError: o.onError === undefined ? noop : guarded(o.onError),
  };
}

function noop(): void {}

function object<T>(name: string, value: T): T {
  if (value === null || typeof value !== 'object') throw new ConfigError(name, 'options', 'must be an object', value);
  return value;
}

function client(name: string, value: unknown): ZookeeperClientOption {
  if (typeof value === 'function' || isZookeeperClient(value)) return value as ZookeeperClientOption;
  throw new ConfigError(name, 'client', 'must be a node-zookeeper-client Client or a function that creates one', typeof value);
}

/**
 * What ZooKeeper refuses in any path (its Java client's PathUtils.validatePath, which the server
 * runs on every create too): control characters (U+0001–U+001F, U+007F–U+009F), surrogates
 * and private use (U+D800–U+F8FF), specials (U+FFF0–U+FFFF); U+0000 is refused as well.
 */
const ZNODE_REFUSED = /[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/;

/** `value` with DEL and the C1 controls (which JSON.stringify leaves as they are) written as `\uXXXX`, for an error message. */
function printable(value: string): string {
  return value.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A ConfigError for a znode path or name holding a character ZooKeeper refuses, or undefined. */
function refusedCharacter(name: string, key: string, value: string): ConfigError | undefined {
  const at = value.search(ZNODE_REFUSED);
  if (at < 0) return undefined;
  const code = `U+${value.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}`;
  return new ConfigError(name, key, `must not contain ${code} (at index ${at}): ZooKeeper refuses control, surrogate, private-use and special characters in a path`, printable(value));
}

/**
 * A ZooKeeper path as ZooKeeper itself accepts it (PathUtils.validatePath): absolute, no empty,
 * `.` or `..` node names, no trailing `/` (except the root), none of {@link ZNODE_REFUSED}.
 * Checked here because ZooKeeper would refuse it on every request, or (node-zookeeper-client
 * checks nothing) wait for a node that can never exist.
 */
function znodePath(name: string, value: unknown): string {
  const ok = typeof value === 'string' && value.startsWith('/') &&
    (value === '/' || value.slice(1).split('/').every((s) => s !== '' && s !== '.' && s !== '..'));
  if (!ok) throw new ConfigError(name, 'path', 'must be an absolute znode path like "/services/users" (no empty, "." or ".." node names, no trailing "/")', typeof value === 'string' ? printable(value) : value);
  const refused = refusedCharacter(name, 'path', value);
  if (refused !== undefined) throw refused;
  return value;
}

function oneOf<T extends string>(name: string, key: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(name, key, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
}

function scheme(name: string, value: unknown, key = 'protocol'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:?$/i.test(value)) throw new ConfigError(name, key, "must be a URL scheme like 'http'", value);
  return value.replace(/:$/, '').toLowerCase();
}

function positive(name: string, key: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkMs(name, key, value);
}

/**
 * `onError` made safe to call from anywhere: a listener that throws must neither end the
 * registration's retries (p-retry gives up when its onFailedAttempt throws) nor escape into
 * node-zookeeper-client's event emitter.
 */
function guarded(listener: (error: unknown) => void): (error: unknown) => void {
  return (error) => {
    try {
      listener(error);
    } catch {
      // the listener's own failure is not ours to raise
    }
  };
}
