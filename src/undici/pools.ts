import { Pool } from 'undici';
import type { Endpoint } from '../endpoints/endpoint.js';
import { tlsServerName } from '../endpoints/server-name.js';
import { originOf } from './judge.js';
import { authorizationOf, type LiveEndpoint } from '../endpoints/endpoint.js';
import type { CheckOutcome } from '../health/checks.js';
import { CHECK_DRAIN_TIMEOUT_MS, drainBody } from './drain.js';

/**
 * One undici `Pool` per endpoint, made on the first attempt sent there (as undici's `Agent`
 * makes one per origin) with the client's pool options, and closed when discovery removes the
 * endpoint or the client closes: requests still running on a removed endpoint finish first
 * (`pool.close()` waits for them), a closing client destroys them.
 */
export class EndpointPools {
  readonly #options: Pool.Options | undefined;
  readonly #pools = new Map<string, Pool>();
  /**
   * With a `connections` limit, the default health check's own pool per endpoint (one connection):
   * through the endpoint's pool it would queue behind the client's own calls and time out on a busy,
   * healthy endpoint. Envoy's health checkers have connections of their own too.
   */
  readonly #checkPools = new Map<string, Pool>();
  /** Pools of removed endpoints still closing (waiting for their running requests): `close()` ends them too. */
  readonly #leaving = new Set<Pool>();
  #closing: Promise<void> | undefined;

  constructor(options: Pool.Options | undefined) {
    this.#options = options;
  }

  /** The endpoint's pool, made now if it has none. */
  get(endpoint: LiveEndpoint): Pool {
    return this.#poolIn(this.#pools, endpoint, this.#options);
  }

  /** The pool the default health check of `endpoint` goes through: the endpoint's, unless a `connections` limit could queue the check behind calls. */
  #checkPool(endpoint: LiveEndpoint): Pool {
    const options = this.#options;
    if (options?.connections === undefined || options.connections === null) return this.get(endpoint);
    return this.#poolIn(this.#checkPools, endpoint, { ...options, connections: 1 });
  }

  #poolIn(pools: Map<string, Pool>, endpoint: LiveEndpoint, options: Pool.Options | undefined): Pool {
    let pool = pools.get(endpoint.id);
    if (pool === undefined) {
      if (this.#closing !== undefined) throw new Error('undici pools are closed');
      pool = new Pool(originOf(endpoint), poolOptions(endpoint, options));
      pools.set(endpoint.id, pool);
    }
    return pool;
  }

  /**
   * The default health check through the endpoint's pool (its TLS options, its server name; a
   * pool of its own, of one connection, when the pools have a `connections` limit):
   * `GET path` as the client's calls go, 2xx and 3xx pass (the status decides, as for `fetch`'s
   * check: a slow body does not fail it), the body read away in the background, or destroyed
   * (its socket closed) when it is over DRAIN_LIMIT or not all there within CHECK_DRAIN_TIMEOUT_MS.
   *
   * @example
   * useHttpCheck(client, (e, path, signal) => pools.check(e, path, signal));
   */
  async check(endpoint: LiveEndpoint, path: string, signal: AbortSignal): Promise<CheckOutcome> {
    const auth = authorizationOf(endpoint);
    const res = await this.#checkPool(endpoint).request({ method: 'GET', path: endpoint.basePath + path, signal, headers: auth === undefined ? null : { authorization: auth } });
    // Read away to keep the socket, within DRAIN_LIMIT and CHECK_DRAIN_TIMEOUT_MS: a body that stalls is destroyed.
    drainBody(res.body, CHECK_DRAIN_TIMEOUT_MS);
    return { passed: res.statusCode < 400, reason: `status ${res.statusCode}` };
  }

  /** How many endpoints have a pool open now (the health checks' own pools are not counted). */
  get size(): number {
    return this.#pools.size;
  }

  /** Closes the pools of endpoints discovery removed, letting their running requests finish. */
  removed(endpoints: readonly Endpoint[]): void {
    for (const e of endpoints) {
      for (const pools of [this.#pools, this.#checkPools]) {
        const pool = pools.get(e.id);
        if (pool === undefined) continue;
        pools.delete(e.id);
        this.#leaving.add(pool);
        pool.close().catch(ignore).finally(() => this.#leaving.delete(pool));
      }
    }
  }

  /**
   * Closes every pool: a response body still being read gets `grace` ms to finish (undici's
   * `close()` waits for it), then the pool is destroyed, so nothing is left open when this resolves.
   * The pools of removed endpoints still closing are included; a second call returns the first's promise.
   */
  close(grace: number = CLOSE_GRACE_MS): Promise<void> {
    this.#closing ??= this.#closeAll(grace);
    return this.#closing;
  }

  async #closeAll(grace: number): Promise<void> {
    const pools = [...this.#pools.values(), ...this.#checkPools.values(), ...this.#leaving];
    this.#pools.clear();
    this.#checkPools.clear();
    this.#leaving.clear();
    await Promise.all(pools.map(async (pool) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, grace); });
      try {
        await Promise.race([pool.close(), late]);
      } catch {
        // Closing failed: destroying below ends it anyway.
      } finally {
        clearTimeout(timer);
      }
      if (!pool.destroyed) await pool.destroy().catch(ignore);
    }));
  }
}

/** How long `close()` lets a response body still being read finish before its socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;

function ignore(): void {}

/**
 * The pool options of `endpoint`: an https endpoint at an IP address (as DNS discovery makes
 * them) checks the server's certificate against its `metadata.hostname`, the name it was
 * discovered by, unless the options name a `connect.servername` of their own.
 */
function poolOptions(endpoint: Endpoint, options: Pool.Options | undefined): Pool.Options | undefined {
  const hostname = endpoint.protocol === 'https:' ? tlsServerName(endpoint) : undefined;
  if (hostname === undefined) return options;
  const connect = options?.connect;
  if (typeof connect === 'function') return options;
  if ((connect as { servername?: unknown } | undefined)?.servername !== undefined) return options;
  return { ...options, connect: { ...connect, servername: hostname } as NonNullable<Pool.Options['connect']> };
}
