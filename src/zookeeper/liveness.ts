// Whether a connected ZooKeeper client still hears from its server (docs/discovery.md,
// "Failures"). node-zookeeper-client pings an idle server every third of the session timeout but
// never gives up on a ping that gets no answer: over a connection that went silent (a partition
// that drops packets, a frozen server) it stays "connected" for as long as TCP keeps the socket,
// while the server has long expired the session. ZooKeeper's Java client drops a server it has
// not heard from for its read timeout (two thirds of the session timeout); this does the same.
import { defaultRequestTimeout, isConnected, type ZookeeperClient } from './client.js';

/**
 * Asks the connected client's server a question (`exists` on the adapter's znode) every third
 * of the session timeout, so that a connection is never idle for longer. When no answer comes
 * within `requestTimeout`, at most two thirds of the session timeout (the Java client's read
 * timeout: past it the server may expire the session first), on the same connection it was
 * asked on, `silent` is told. Its timers are unref'd, and none outlives `stop`.
 *
 * @example
 * const liveness = new Liveness('/services/users', undefined, () => connections, (client) => dropConnection(client));
 * liveness.watch(client); // … liveness.stop() when the adapter stops
 */
export class Liveness {
  #client: ZookeeperClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The question still unanswered, if any: one at a time. */
  #asking: { readonly client: ZookeeperClient; answered: boolean } | undefined;
  #stopped = false;

  /**
   * @param connection How many times the client in use connected or disconnected so far: a
   * question asked on an earlier connection says nothing about the one now.
   */
  constructor(
    private readonly path: string,
    private readonly timeoutMs: number | undefined,
    private readonly connection: () => number,
    private readonly silent: (client: ZookeeperClient) => void,
  ) {}

  /** Checks `client` from now on, instead of any client before it. */
  watch(client: ZookeeperClient): void {
    if (this.#stopped) return;
    this.#client = client;
    this.#asking = undefined;
    this.#schedule(client);
  }

  /** Stops checking `client` (it was replaced or dropped). */
  forget(client: ZookeeperClient): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#asking = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops for good: timers are cleared, and an answer still to come is ignored. */
  stop(): void {
    this.#stopped = true;
    this.#client = undefined;
    this.#asking = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(client: ZookeeperClient): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(client), Math.max(100, Math.floor(sessionTimeout(client) / 3)));
    this.#timer.unref();
  }

  #tick(client: ZookeeperClient): void {
    if (this.#client !== client) return;
    this.#schedule(client);
    // The client's methods are the user's when it wraps node-zookeeper-client's: one that throws
    // here, outside any call, says nothing about the connection.
    try {
      // Not connected: the client knows, and reconnects on its own. Asking already: wait for that answer.
      if (this.#asking !== undefined || !isConnected(client)) return;
      this.#ask(client);
    } catch {
      this.#asking = undefined;
    }
  }

  #ask(client: ZookeeperClient): void {
    const asking = { client, answered: false };
    this.#asking = asking;
    const connection = this.connection();
    const limit = Math.min(this.timeoutMs ?? Infinity, defaultRequestTimeout(client));
    const timer = setTimeout(() => {
      // Due timers run before the sockets are read: after an event-loop stall the answer may be
      // waiting. setImmediate runs once they have been read.
      setImmediate(() => {
        if (this.#asking !== asking) return;
        this.#asking = undefined;
        if (asking.answered || this.#client !== client || this.connection() !== connection) return;
        try {
          if (!isConnected(client)) return;
        } catch {
          return;
        }
        this.silent(client);
      }).unref();
    }, limit);
    timer.unref();
    // Any answer will do, an error included (NO_NODE, NO_AUTH): the server is there. An error
    // for the connection (CONNECTION_LOSS) comes with a disconnection, which the client reports.
    client.exists(this.path, () => {
      asking.answered = true;
      clearTimeout(timer);
      if (this.#asking === asking) this.#asking = undefined;
    });
  }
}

/** The client's session timeout (ms), or ZooKeeper's usual 30 s when it gives none that makes sense. */
function sessionTimeout(client: ZookeeperClient): number {
  const session = client.getSessionTimeout();
  return Number.isFinite(session) && session > 0 ? session : 30_000;
}
