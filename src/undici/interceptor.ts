import * as undici from 'undici';
import type { Dispatcher } from 'undici';
import type { Client } from '../client.js';
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { BulwarkError, ConfigError } from '../errors.js';
import { redactUrl, splitUserinfo } from '../redact.js';
import { RoutedCall } from './routed-call.js';
import { withReplayableHeaders } from './headers.js';

/** Options of {@link bulwarkInterceptor}. */
export interface InterceptorOptions {
  /**
   * Origins whose requests go through a client: `{ 'http://users.internal': users }`. Keys are
   * http(s) origins (scheme, host, port; no path). Default: none.
   */
  origins?: Readonly<Record<string, Client>> | undefined;
  /**
   * Clients reached with the origin `bulwark://<client name>`, for dispatcher APIs that take an
   * origin (`agent.request({ origin: 'bulwark://users', path })`, `dispatch`, `stream`); `fetch`
   * and `undici.request(url)` refuse schemes other than http(s). The clients of `origins` are
   * reachable this way too. Default: none.
   */
  clients?: readonly Client[] | undefined;
  /**
   * The hash key of a routed request, for `ringHash` (a user id from a header, say); `undefined`
   * leaves it keyless. A throw fails that request with the error. Default: none.
   *
   * @example
   * key: (req) => headerOf(req.headers, 'x-user-id')
   */
  key?: ((request: Dispatcher.DispatchOptions) => string | number | undefined) | undefined;
}

/** The keys of {@link InterceptorOptions}; `origins`' keys are origins, checked as such. */
const KEYS = tableKeys({ origins: true, clients: true, key: true } satisfies Table<InterceptorOptions>, 'an option of bulwarkInterceptor');

/** Distinct origin spellings remembered per interceptor (the miss path parses a URL once per spelling). */
const ORIGIN_CACHE_LIMIT = 1_000;

/**
 * An undici interceptor that sends requests for the configured origins (and `bulwark://name`)
 * through a bulwark client's pipeline — picker, retries on another endpoint under the budget,
 * deadlines, health — and passes every other request to the next dispatcher untouched. Compose
 * it outermost (last) on an `Agent` (composing it on a `Pool`, `Client` or `BalancedPool`, which
 * send every request to their own origin, throws `ConfigError`), then use the result as `fetch(url, { dispatcher })`, with
 * `undici.request`, or globally with `setGlobalDispatcher`. Node's own `fetch` (its bundled
 * undici) works with it too: its older handlers are adapted.
 *
 * @example
 * import { Agent, setGlobalDispatcher } from 'undici';
 * import { createClient } from 'bulwark';
 * import { bulwarkInterceptor } from 'bulwark/undici';
 * const users = createClient({ name: 'users', discovery: ['http://10.0.0.1:8080', 'http://10.0.0.2:8080'] });
 * setGlobalDispatcher(new Agent().compose(bulwarkInterceptor({ origins: { 'http://users.internal': users } })));
 * const res = await fetch('http://users.internal/v1/users/42'); // load-balanced, retried, time-bounded
 */
export function bulwarkInterceptor(options: InterceptorOptions): Dispatcher.DispatcherComposeInterceptor {
  const routes = buildRoutes(options);
  const keyOf = options.key;
  if (keyOf !== undefined && typeof keyOf !== 'function') throw new ConfigError('undici', 'key', 'must be a function', keyOf);
  const spellings = new Map<string, Client | null>();
  const route = (origin: unknown): Client | undefined => {
    if (origin === undefined || origin === null) return undefined;
    const key = typeof origin === 'string' ? origin : String((origin as URL).href ?? origin);
    const exact = routes.get(key);
    if (exact !== undefined) return exact;
    let found = spellings.get(key);
    if (found === undefined) {
      found = routes.get(normalizeOrigin(key) ?? '') ?? null;
      if (spellings.size >= ORIGIN_CACHE_LIMIT) spellings.clear();
      spellings.set(key, found);
    }
    return found ?? undefined;
  };
  const intercept = (dispatch: Dispatcher['dispatch']) => function bulwarkIntercept(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // Node's bundled fetch still passes handlers of undici's older API: adapt them.
    const wrapped = wrapHandler(handler);
    const client = route(opts.origin);
    if (client === undefined) return dispatch(opts, wrapped);
    if (opts.upgrade || opts.method === 'CONNECT') {
      wrapped.onResponseError?.(undefined as never, new BulwarkError('ERR_BULWARK_NOT_ROUTED', client.name, `${client.name}: upgrade and CONNECT requests are not routed`));
      return true;
    }
    let key: string | number | undefined;
    let routed = opts;
    try {
      // Headers a generator yields are read once, for `key` and every attempt to see them all.
      routed = withReplayableHeaders(opts);
      if (keyOf !== undefined) key = keyOf(routed);
    } catch (err) {
      wrapped.onResponseError?.(undefined as never, asError(err));
      return true;
    }
    new RoutedCall(client.name, dispatch, routed, wrapped).run(client, key === undefined ? undefined : { key });
    return true;
  };
  return (dispatch, origin?: unknown) => {
    // undici's compose passes the origin of a dispatcher bound to one (a Pool, a Client; null for a
    // BalancedPool), which sends every request there whatever its origin: routing needs an Agent.
    if (origin !== undefined) throw composedOnOneOrigin(origin);
    return intercept(dispatch);
  };
}

/**
 * The refusal of a composition on a dispatcher bound to its own origin (a Pool, a Client, their
 * mocks; `null`: a BalancedPool), shown as undici gave it (an origin has no userinfo).
 */
function composedOnOneOrigin(origin: unknown): ConfigError {
  return new ConfigError(
    'undici',
    'dispatcher',
    'must be an Agent (new Agent().compose(bulwarkInterceptor(…))): bulwarkInterceptor was composed on a Pool, Client or BalancedPool, ' +
      'which sends every request to its own origin, so routed requests would never reach the picked endpoints',
    typeof origin === 'string' ? redactUrl(origin) : origin,
  );
}

/**
 * Undici's adapter from its older handler API (onConnect, onHeaders, …) to the current one; read
 * once, at load: undici 7 has no Dispatcher1Wrapper (its dispatchers adapt such handlers themselves).
 */
const WRAP_HANDLER = (undici as unknown as { Dispatcher1Wrapper?: { wrapHandler?: (h: unknown) => Dispatcher.DispatchHandler } }).Dispatcher1Wrapper?.wrapHandler;

function wrapHandler(handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler {
  return WRAP_HANDLER === undefined ? handler : WRAP_HANDLER(handler);
}

function buildRoutes(options: InterceptorOptions): Map<string, Client> {
  if (options === null || typeof options !== 'object') throw new ConfigError('undici', 'interceptor options', 'must be an object', options);
  checkKeys('undici', options, '', KEYS);
  const routes = new Map<string, Client>();
  const add = (path: string, origin: string, client: unknown): void => {
    if (client === null || typeof client !== 'object' || typeof (client as Client).name !== 'string' || typeof (client as Client).execute !== 'function') {
      throw new ConfigError('undici', path, 'must be a bulwark client', client);
    }
    const taken = routes.get(origin);
    if (taken !== undefined && taken !== client) throw new ConfigError('undici', path, `routes ${origin}, which another client already takes`, origin);
    routes.set(origin, client as Client);
  };
  /** `bulwark://<name>` as given and in lower case (URL parsers keep the case of such hosts, callers may not). */
  const byName = (path: string, client: unknown): void => {
    const name = String((client as Client | null)?.name);
    add(path, `bulwark://${name}`, client);
    add(path, `bulwark://${name.toLowerCase()}`, client);
  };
  const { origins, clients } = options;
  if (origins !== undefined && origins !== null && (typeof origins !== 'object' || Array.isArray(origins))) {
    throw new ConfigError('undici', 'origins', "must be an object of origin: client ({ 'http://users.internal': users })", origins);
  }
  if (clients !== undefined && clients !== null && !Array.isArray(clients)) throw new ConfigError('undici', 'clients', 'must be an array of bulwark clients', clients);
  for (const [key, client] of Object.entries(origins ?? {})) {
    // The key is shown as redactUrl shows it (it may carry a `?token=`), and not at all when it
    // holds an `@`: what precedes one may be a password, and the rest alone may look valid.
    const at = splitUserinfo(key).userinfo !== undefined;
    const path = `origins[${JSON.stringify(at ? '(hidden)' : redactUrl(key))}]`;
    // An `@` has no place in an origin: whatever a URL parser makes of the rest (a `#` before it
    // hides it in a fragment), the key is refused.
    const origin = at ? undefined : normalizeOrigin(key);
    if (origin === undefined || !/^https?:/.test(origin)) {
      const why = at ? "; it holds an `@`, as credentials (user:password@) do, so it is not shown: an origin carries none (the client's endpoints carry their own)" : '';
      throw new ConfigError('undici', path, `must be an http or https origin (scheme://host[:port])${why}`, at ? '(hidden)' : key);
    }
    add(path, origin, client);
    byName(path, client);
  }
  for (const [i, client] of (clients ?? []).entries()) byName(`clients[${i}]`, client);
  return routes;
}

/** `scheme://host[:port]` as undici spells origins (lower case, no default port, no path); `undefined` when unreadable or with a path. */
function normalizeOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '' || url.password !== '') return undefined;
  return `${url.protocol}//${url.host}`;
}

/** `err` as the Error a handler is given: itself when it is one, else an Error saying what was thrown (without echoing it: it is the `cause`). */
function asError(err: unknown): Error {
  try {
    if (err instanceof Error) return err;
  } catch {
    // A Proxy whose getPrototypeOf trap throws: not an Error we can pass on as it is.
  }
  return new Error(`${typeof err === 'string' ? 'a string' : 'a value that is not an Error'} was thrown (see cause)`, { cause: err });
}
