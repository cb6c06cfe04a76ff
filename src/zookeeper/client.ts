// What bulwark needs of a ZooKeeper client (docs/architecture.md, "Discovery adapters"): the
// shape of node-zookeeper-client's Client, declared here so that neither the package nor its
// types are needed at run time or in our declarations; its callbacks as promises that settle
// once, within a time limit; and its errors as ZookeeperError with a readable code.
import { BulwarkError } from '../errors.js';
import { messageOf } from '../message-of.js';

/** A node's stat as node-zookeeper-client reports it (only what bulwark reads). */
export interface ZookeeperStat {
  readonly version: number;
  /** The zxid of the node's last change (its creation or latest setData). */
  readonly mzxid: Buffer;
  readonly ephemeralOwner: Buffer;
}

/** A watch notification: `type` is 1 created, 2 deleted, 3 data changed, 4 children changed. */
export interface ZookeeperEvent {
  readonly type: number;
  readonly path: string;
}

type Callback<T> = (error: unknown, result: T) => void;
type Watcher = (event: ZookeeperEvent) => void;

/**
 * The part of node-zookeeper-client's `Client` (1.x) that bulwark uses; an instance of
 * `createClient(…)` from that package fits it.
 */
export interface ZookeeperClient {
  connect(): void;
  close(): void;
  getState(): { readonly code: number; readonly name?: string };
  getSessionId(): Buffer;
  getSessionTimeout(): number;
  on(event: string, listener: () => void): unknown;
  removeListener(event: string, listener: () => void): unknown;
  getChildren(path: string, watcher: Watcher, callback: (error: unknown, children: string[], stat: ZookeeperStat) => void): void;
  getChildren(path: string, callback: (error: unknown, children: string[], stat: ZookeeperStat) => void): void;
  getData(path: string, watcher: Watcher, callback: (error: unknown, data: Buffer | null, stat: ZookeeperStat) => void): void;
  getData(path: string, callback: (error: unknown, data: Buffer | null, stat: ZookeeperStat) => void): void;
  exists(path: string, watcher: Watcher, callback: Callback<ZookeeperStat | null>): void;
  exists(path: string, callback: Callback<ZookeeperStat | null>): void;
  create(path: string, data: Buffer, mode: number, callback: Callback<string>): void;
  setData(path: string, data: Buffer, version: number, callback: Callback<ZookeeperStat>): void;
  remove(path: string, version: number, callback: (error: unknown) => void): void;
  mkdirp(path: string, callback: Callback<string>): void;
}

/** ZooKeeper's error codes (org.apache.zookeeper.KeeperException.Code), as node-zookeeper-client numbers them. */
export const CODES: Readonly<Record<number, string>> = Object.freeze({
  [-1]: 'SYSTEM_ERROR', [-4]: 'CONNECTION_LOSS', [-7]: 'OPERATION_TIMEOUT', [-8]: 'BAD_ARGUMENTS',
  [-101]: 'NO_NODE', [-102]: 'NO_AUTH', [-103]: 'BAD_VERSION', [-108]: 'NO_CHILDREN_FOR_EPHEMERALS',
  [-110]: 'NODE_EXISTS', [-111]: 'NOT_EMPTY', [-112]: 'SESSION_EXPIRED', [-114]: 'INVALID_ACL', [-115]: 'AUTH_FAILED',
});

/** Connection states of node-zookeeper-client's `State` (`getState().code`). */
export const STATE: Readonly<Record<'DISCONNECTED' | 'SYNC_CONNECTED' | 'AUTH_FAILED' | 'CONNECTED_READ_ONLY' | 'EXPIRED', number>> = Object.freeze({ DISCONNECTED: 0, SYNC_CONNECTED: 3, AUTH_FAILED: 4, CONNECTED_READ_ONLY: 5, EXPIRED: -122 });

/** Watch event types of node-zookeeper-client's `Event`. */
export const EVENT: Readonly<Record<'NODE_CREATED' | 'NODE_DELETED' | 'NODE_DATA_CHANGED' | 'NODE_CHILDREN_CHANGED', number>> = Object.freeze({ NODE_CREATED: 1, NODE_DELETED: 2, NODE_DATA_CHANGED: 3, NODE_CHILDREN_CHANGED: 4 });

/** Create modes of node-zookeeper-client's `CreateMode`. */
export const MODE: Readonly<Record<'PERSISTENT' | 'EPHEMERAL' | 'EPHEMERAL_SEQUENTIAL', number>> = Object.freeze({ PERSISTENT: 0, EPHEMERAL: 1, EPHEMERAL_SEQUENTIAL: 3 });

/**
 * A ZooKeeper request that failed, or could not be sent: `code` is ZooKeeper's name for it
 * (`'CONNECTION_LOSS'`, `'SESSION_EXPIRED'`, `'NO_NODE'`, …) or bulwark's own
 * `'REQUEST_TIMEOUT'` and `'NOT_CONNECTED'`.
 *
 * @example
 * client.on('discoveryError', ({ error }) => { if (error instanceof ZookeeperError) console.warn(error.code); });
 */
export class ZookeeperError extends BulwarkError {
  /** The znode the request was about, if any (also `service`; `'zookeeper'` when there is none). */
  readonly path: string | undefined;

  /**
   * @example
   * throw new ZookeeperError('NO_NODE', '/services/users does not exist', '/services/users');
   */
  constructor(code: string, message: string, path?: string, cause?: unknown) {
    super(code, path === undefined || path === '' ? 'zookeeper' : path, message, cause === undefined ? undefined : { cause });
    this.path = path;
  }
}

/** node-zookeeper-client's numeric error code of `err`, if it is one of its exceptions. */
export function codeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** `err` as a ZookeeperError naming `op` and `path`. */
export function toZookeeperError(err: unknown, op: string, path: string): ZookeeperError {
  if (err instanceof ZookeeperError) return err;
  const numeric = codeOf(err);
  const code = numeric === undefined ? 'CLIENT_ERROR' : (CODES[numeric] ?? `ZK_${numeric}`);
  const detail = messageOf(err);
  return new ZookeeperError(code, `ZooKeeper ${op} ${path} failed: ${code === 'CLIENT_ERROR' ? detail : code}`, path, err);
}

/**
 * Runs one callback-style request as a promise that settles once: with the result, with a
 * ZookeeperError, or with `REQUEST_TIMEOUT` after `timeoutMs` (the unref'd timer is cleared
 * when the answer comes), or when `signal` aborts. A late answer is ignored. A client method that
 * throws (node-zookeeper-client asserts its arguments) rejects the promise.
 */
export function request<T>(op: string, path: string, timeoutMs: number, signal: AbortSignal, start: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const end = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (end()) reject(new ZookeeperError('NOT_CONNECTED', `ZooKeeper ${op} ${path} abandoned: the adapter stopped`, path));
    };
    const timer = setTimeout(() => {
      if (end()) reject(new ZookeeperError('REQUEST_TIMEOUT', `ZooKeeper ${op} ${path} got no answer within ${timeoutMs} ms`, path));
    }, timeoutMs);
    timer.unref();
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const callback: Callback<T> = (error, result) => {
      if (!end()) return;
      if (error) reject(toZookeeperError(error, op, path));
      else resolve(result);
    };
    try {
      start(callback);
    } catch (err) {
      callback(err instanceof Error ? err : new Error(messageOf(err), { cause: err }), undefined as T);
    }
  });
}

/**
 * How long a request may wait for its answer when the user set no limit: two thirds of the
 * session timeout, the read timeout of ZooKeeper's Java client (20 s with the 30 s default).
 */
export function defaultRequestTimeout(client: ZookeeperClient): number {
  const session = client.getSessionTimeout();
  return Number.isFinite(session) && session > 0 ? Math.max(1_000, Math.floor((session * 2) / 3)) : 20_000;
}

/** True when `client` is connected (read-write or read-only) now. */
export function isConnected(client: ZookeeperClient): boolean {
  const code = client.getState().code;
  return code === STATE.SYNC_CONNECTED || code === STATE.CONNECTED_READ_ONLY;
}
