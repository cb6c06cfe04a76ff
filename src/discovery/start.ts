import type { EndpointInit } from '../endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from '../endpoints/parse.js';
import { isThenable, notPlainError } from '../config/fields.js';
import { ConfigError } from '../errors.js';
import { isDiscovery, type Discovery } from './discovery.js';
import { StaticDiscovery } from './static.js';
import { stopOf, type StopWatching } from './stop-of.js';

/** What a running adapter reports to. */
export interface DiscoverySink {
  update(endpoints: readonly EndpointInit[]): void;
  error(err: unknown): void;
  rejected(entry: unknown, reason: string): void;
}

/**
 * Starts a discovery adapter; an adapter that throws on start (or whose `async watch()`
 * rejects) counts as a failed refresh, not a crash. Returns its stop function (a no-op when it
 * returned none).
 */
export function startDiscovery(discovery: Discovery, sink: DiscoverySink): StopWatching {
  try {
    const stop: unknown = discovery.watch((endpoints) => sink.update(endpoints), (err) => sink.error(err), (entry, reason) => sink.rejected(entry, reason));
    return stopOf(stop, (err) => sink.error(err));
  } catch (err) {
    sink.error(err);
    return noop;
  }
}

function noop(): void {}

/**
 * The `discovery` option as an adapter: an array (or `staticDiscovery`) is validated entry by
 * entry now, so a malformed static endpoint is a `ConfigError` at creation.
 */
export function resolveDiscovery(name: string, discovery: unknown): Discovery {
  const list = Array.isArray(discovery) ? (discovery as readonly EndpointInit[]) : discovery instanceof StaticDiscovery ? discovery.endpoints : undefined;
  if (list !== undefined) {
    checkEntries(name, list);
    return discovery instanceof StaticDiscovery ? discovery : new StaticDiscovery(list);
  }
  if (!isDiscovery(discovery)) {
    // `discovery: loadHosts()` without its await: about the Promise, not only about what it is not.
    if (discovery !== null && typeof discovery === 'object' && isThenable(discovery)) {
      throw notPlainError(name, 'discovery', discovery, 'must be an array of endpoints or a Discovery ({ watch(update, error) })');
    }
    throw new ConfigError(name, 'discovery', 'must be an array of endpoints or a Discovery ({ watch(update, error) })', discovery);
  }
  return discovery;
}

/**
 * Parses every entry of a static list, a `ConfigError` at `discovery[i]` for the first bad one.
 * An index loop, not `forEach`, which skips holes: `[a, , b]` is read with `undefined` in the
 * hole, as the client reads it at run time, so the typo is refused here as `[a, undefined, b]` is.
 */
function checkEntries(name: string, list: readonly EndpointInit[]): void {
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    try {
      parseEndpoint(entry as EndpointInit);
    } catch (err) {
      if (err instanceof EndpointParseError) throw new ConfigError(name, `discovery[${i}]${err.field}`, err.expected, err.field === '' ? entry : err.value);
      throw err;
    }
  }
}
