// Whether a connected ZooKeeper client still hears from its server (docs/discovery.md,
// "Failures"). node-zookeeper-client pings an idle server every third of the session timeout but
// never gives up on a ping that gets no answer: over a connection that went silent (a partition
// that drops packets, a frozen server) it stays "connected" for as long as TCP keeps the socket,
// while the server has long expired the session. ZooKeeper's Java client drops a server it has
// not heard from for its read timeout (two thirds of the session timeout); this does the same.
import { defaultRequestTimeout, isConnected, request, type ZookeeperClient, type ZookeeperError } from './client.js';

/**
 * Asks the connected client's server a question (`exists` on the adapter's znode) every third
 * of the session timeout, so that a connection is never idle for longer; when no answer comes
 * within `requestTimeout` (default: two thirds of the session timeout) while the client still
 * says it is connected, `silent` is told. Its timers are unref'd, and none outlives `stop`.
 *
 * @example
 * const liveness = new Liveness('/services/users', undefined, (client) => dropConnection(client));
 * liveness.watch(client); // … liveness.stop() when the adapter stops
 */
export class Liveness {
  #client: ZookeeperClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The client whose question is still unanswered, if any: one at a time. */
  #asking: ZookeeperClient | undefined;
  readonly #controller = new AbortController();

  constructor(
    private readonly path: string,
    private readonly timeoutMs: number | undefined,
    private readonly silent: (client: ZookeeperClient) => void,
  ) {}

  /** Checks `client` from now on, instead of any client before it. */
  watch(client: ZookeeperClient): void {
    if (this.#controller.signal.aborted) return;
    this.#client = client;
    this.#schedule(client);
  }

  /** Stops checking `client` (it was replaced or dropped). */
  forget(client: ZookeeperClient): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops for good: the timer is cleared and a question in flight abandoned. */
  stop(): void {
    this.#client = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#controller.abort();
  }

  #schedule(client: ZookeeperClient): void {
    clearTimeout(this.#timer);
    const session = client.getSessionTimeout();
    const every = Number.isFinite(session) && session > 0 ? Math.max(100, Math.floor(session / 3)) : 10_000;
    this.#timer = setTimeout(() => this.#tick(client), every);
    this.#timer.unref();
  }

  #tick(client: ZookeeperClient): void {
    if (this.#client !== client) return;
    this.#schedule(client);
    // Not connected: the client knows, and reconnects on its own. Asking already: wait for that answer.
    if (this.#asking === client || !isConnected(client)) return;
    this.#asking = client;
    const timeout = this.timeoutMs ?? defaultRequestTimeout(client);
    const path = this.path;
    request<unknown>('exists', path, timeout, this.#controller.signal, (callback) => client.exists(path, callback)).then(
      () => this.#answered(client),
      (err: unknown) => {
        this.#answered(client);
        if (this.#client === client && (err as ZookeeperError).code === 'REQUEST_TIMEOUT' && isConnected(client)) this.silent(client);
      },
    );
  }

  #answered(client: ZookeeperClient): void {
    if (this.#asking === client) this.#asking = undefined;
  }
}
