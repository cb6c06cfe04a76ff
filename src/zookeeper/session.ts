// One ZooKeeper session for an adapter (docs/architecture.md, "Discovery adapters"): the
// user's client instance, or clients made by the user's factory — one per session, a new one
// after the last one's session expired, each connected and, on stop, closed by us.
import { messageOf } from '../message-of.js';
import { defaultRequestTimeout, isConnected, STATE, ZookeeperError, type ZookeeperClient } from './client.js';
import { closeClient, waitForConnection, type ConnectionInternals } from './connection.js';
import { Liveness } from './liveness.js';

/**
 * The `client` option: a node-zookeeper-client `Client`, or a function that returns a new,
 * not yet connected one. With a function, bulwark connects each client it makes, makes a new
 * one when a session expires (node-zookeeper-client's clients stay closed after expiry), and
 * closes its client on stop. With an instance, bulwark neither connects nor closes it, and
 * after its session expired reports errors until the adapter is stopped.
 */
export type ZookeeperClientOption = ZookeeperClient | (() => ZookeeperClient);

/** What a session tells its adapter. */
export interface SessionListener {
  /** The connection was lost; the session may still be alive. */
  disconnected(): void;
  /** Connected again (same session) or for the first time on a new client. */
  connected(): void;
  /** The session expired: its watches and ephemeral nodes are gone. */
  expired(): void;
}

const CLIENT_METHODS = ['connect', 'close', 'getChildren', 'getData', 'exists', 'create', 'remove', 'getState', 'getSessionId', 'getSessionTimeout', 'on', 'removeListener'] as const;

/** True when `value` has the methods of a node-zookeeper-client `Client` that bulwark calls. */
export function isZookeeperClient(value: unknown): value is ZookeeperClient {
  return typeof value === 'object' && value !== null && missingMethods(value)?.length === 0;
}

/**
 * The methods bulwark calls that the object `value` lacks, or undefined when they cannot be read
 * (a Proxy whose traps throw, a getter that does: no client bulwark can use).
 */
function missingMethods(value: object): readonly string[] | undefined {
  try {
    return CLIENT_METHODS.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function');
  } catch {
    return undefined;
  }
}

export class Session {
  private client: ZookeeperClient | undefined;
  private readonly factory: (() => ZookeeperClient) | undefined;
  private closed = false;
  /** The user's instance lost its session: node-zookeeper-client will not open another. */
  private expired = false;
  /** Disconnected since the last connection. */
  private lost = false;
  /** Bumped for every client in use: watches of an older one are ignored. */
  generation = 0;
  private readonly handlers: { disconnected: () => void; connected: () => void; expired: () => void };
  /** When the client in use was made or last lost its connection (performance.now()). */
  private since = 0;
  /** Clients of ours being closed after they were replaced: close() waits for them. */
  private readonly closing = new Set<Promise<void>>();
  /** Every client the factory returned. */
  private readonly made = new WeakSet<ZookeeperClient>();
  /** How many times the client in use connected or disconnected (the liveness check's questions belong to one connection). */
  private connections = 0;
  /** Notices a connection gone silent, which node-zookeeper-client never does. */
  private readonly liveness: Liveness;

  /**
   * @param path The znode the adapter watches or registers under: every error of the session
   * names it (as `path` and `service`).
   * @param requestTimeout The adapter's `requestTimeout`: how long the server may stay silent.
   */
  constructor(option: ZookeeperClientOption, private readonly path: string, private readonly listener: SessionListener, requestTimeout: number | undefined) {
    this.factory = typeof option === 'function' ? option : undefined;
    this.liveness = new Liveness(path, requestTimeout, () => this.connections, (client) => this.silent(client));
    this.handlers = {
      // node-zookeeper-client reports `disconnected` again right after `expired`: that one is no news.
      disconnected: () => {
        this.connections++;
        if (this.closed || this.expired) return;
        if (!this.lost) this.since = performance.now();
        this.lost = true;
        listener.disconnected();
      },
      // A client's first connection is awaited by ready(); only a reconnection is news.
      connected: () => {
        this.connections++;
        if (this.closed || !this.lost) return;
        this.lost = false;
        listener.connected();
      },
      expired: () => {
        if (this.closed) return;
        if (this.factory !== undefined) this.retire();
        else this.expired = true;
        listener.expired();
      },
    };
    if (typeof option !== 'function') this.attach(option);
  }

  /** Whether this session's clients are bulwark's own (made by the user's factory). */
  get owned(): boolean {
    return this.factory !== undefined;
  }

  /**
   * The client to send requests with, once it is connected: waits up to `timeoutMs` (default
   * {@link defaultRequestTimeout}), or until `signal` aborts, for a connection (a new client,
   * or one reconnecting), and fails at once when the session is over for good (an instance
   * whose session expired, failed authentication). A client of ours that stays unconnected
   * for its session timeout is replaced by a new one.
   */
  async ready(timeoutMs: number | undefined, signal: AbortSignal): Promise<ZookeeperClient> {
    const started = performance.now();
    for (;;) {
      if (this.closed) throw new ZookeeperError('NOT_CONNECTED', 'the ZooKeeper adapter is stopped', this.path);
      const client = this.client ?? this.create();
      if (isConnected(client)) return client;
      const code = client.getState().code;
      if (this.expired || code === STATE.EXPIRED) {
        throw new ZookeeperError('SESSION_EXPIRED', 'the ZooKeeper session expired, and a client instance can not open another: pass `client` as a function that creates clients', this.path);
      }
      if (code === STATE.AUTH_FAILED) throw new ZookeeperError('AUTH_FAILED', 'ZooKeeper refused the client\'s credentials', this.path);
      const limit = timeoutMs ?? defaultRequestTimeout(client);
      let wait = limit - (performance.now() - started);
      if (wait <= 0) throw new ZookeeperError('NOT_CONNECTED', `not connected to ZooKeeper within ${Math.round(limit)} ms`, this.path);
      // A client of ours that has been without a connection for its whole session timeout has
      // no session left on the server: replace it (Curator resets its handle the same way).
      // node-zookeeper-client can also hang on a server that accepted the connection but never
      // answered it; a new client gets past that.
      let replacing = false;
      if (this.factory !== undefined) {
        const left = client.getSessionTimeout() - (performance.now() - this.since);
        if (left <= 0) {
          this.replace(client);
          continue;
        }
        if (left < wait) {
          wait = left;
          replacing = true;
        }
      }
      try {
        await waitForConnection(client, this.path, Math.max(1, Math.round(wait)), signal);
      } catch (err) {
        const code = (err as ZookeeperError).code;
        if (this.factory !== undefined && !this.closed) {
          // Our own client's session expired while it reconnected: open a new one at once.
          if (code === 'SESSION_EXPIRED') continue;
          if (replacing && code === 'NOT_CONNECTED' && this.client === client && !signal.aborted) {
            this.replace(client);
            continue;
          }
        }
        throw err;
      }
      if (this.closed || this.client !== client) continue;
      return client;
    }
  }

  /** Gives up a client of ours whose session is gone: closed in the background, and a new one made next. */
  private replace(client: ZookeeperClient): void {
    if (this.client !== client) return;
    this.retire();
    const closing = closeClient(client).finally(() => this.closing.delete(closing));
    this.closing.add(closing);
    this.listener.expired();
  }

  /** The client in use now, if any (connected or not). */
  get current(): ZookeeperClient | undefined {
    return this.client;
  }

  /** Stops listening; closes bulwark's own client and waits (bounded) until it has let go of its socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.liveness.stop();
    const client = this.client;
    if (client !== undefined) {
      this.detach(client);
      this.client = undefined;
      if (this.factory !== undefined) await closeClient(client);
    }
    await Promise.all(this.closing);
  }

  private create(): ZookeeperClient {
    const factory = this.factory;
    if (factory === undefined) throw new ZookeeperError('NOT_CONNECTED', 'no ZooKeeper client', this.path);
    let client: unknown;
    try {
      client = factory();
    } catch (err) {
      const detail = messageOf(err);
      throw new ZookeeperError('CLIENT_ERROR', `the \`client\` function threw: ${detail}`, this.path, err);
    }
    if (!isZookeeperClient(client)) {
      const missing = client === null || typeof client !== 'object' ? [] : missingMethods(client);
      const what = missing === undefined ? 'an object whose methods cannot be read' : missing.length > 0 ? `an object without ${missing.join(', ')}` : client === null ? 'null' : typeof client;
      throw new ZookeeperError('CLIENT_ERROR', `the \`client\` function must return a node-zookeeper-client Client, not ${what}`, this.path);
    }
    // A client once closed (or expired) can not open a new session: each call must make a new one.
    if (this.made.has(client)) throw new ZookeeperError('CLIENT_ERROR', 'the `client` function returned a client it had returned before: it must create a new one each time', this.path);
    this.made.add(client);
    this.generation++;
    this.lost = false;
    this.since = performance.now();
    this.attach(client);
    try {
      client.connect();
    } catch (err) {
      this.retire();
      const detail = messageOf(err);
      throw new ZookeeperError('CLIENT_ERROR', `the client's connect() threw: ${detail}`, this.path, err);
    }
    return client;
  }

  /** Drops an expired client of ours: node-zookeeper-client has already closed it. */
  private retire(): void {
    const client = this.client;
    if (client === undefined) return;
    this.detach(client);
    this.client = undefined;
  }

  /**
   * The client says it is connected, but its server answered nothing for a request timeout:
   * drop the connection, as ZooKeeper's Java client does. node-zookeeper-client then reports it
   * lost (a `CONNECTION_LOSS` at once) and reconnects, to the next server, on the same session
   * if the server still has it (a session it expired meanwhile ends as `expired`: a client of
   * ours is replaced). A client whose connection cannot be reached (not node-zookeeper-client's)
   * is replaced if it is ours, and its loss reported if it is the user's.
   */
  private silent(client: ZookeeperClient): void {
    if (this.closed || this.client !== client) return;
    const socket = (client as unknown as ConnectionInternals).connectionManager?.socket;
    if (socket !== undefined && typeof socket.destroy === 'function' && socket.destroyed !== true) socket.destroy();
    else if (this.factory !== undefined) this.replace(client);
    else this.handlers.disconnected();
  }

  private attach(client: ZookeeperClient): void {
    this.client = client;
    this.liveness.watch(client);
    client.on('disconnected', this.handlers.disconnected);
    client.on('connected', this.handlers.connected);
    client.on('connectedReadOnly', this.handlers.connected);
    client.on('expired', this.handlers.expired);
  }

  private detach(client: ZookeeperClient): void {
    this.liveness.forget(client);
    client.removeListener('disconnected', this.handlers.disconnected);
    client.removeListener('connected', this.handlers.connected);
    client.removeListener('connectedReadOnly', this.handlers.connected);
    client.removeListener('expired', this.handlers.expired);
  }
}
