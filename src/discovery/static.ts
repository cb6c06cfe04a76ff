import type { EndpointInit } from '../endpoints/endpoint.js';
import type { Discovery } from './discovery.js';
import { ConfigError } from '../errors.js';

/**
 * A fixed list of endpoints. Passing an array as `discovery` to `createClient` is shorthand
 * for this; the list is validated when the client is created, so a malformed entry throws a
 * `ConfigError` there.
 *
 * @example
 * createClient({ name: 'users', discovery: staticDiscovery(['http://10.0.0.1:8080', '10.0.0.2:8080']) });
 */
export function staticDiscovery(endpoints: readonly EndpointInit[]): StaticDiscovery {
  return new StaticDiscovery(endpoints);
}

/**
 * The discovery adapter behind {@link staticDiscovery}; `endpoints` is the list it serves.
 *
 * @example
 * const fixed = staticDiscovery(['10.0.0.1:8080']); fixed.endpoints; // ['10.0.0.1:8080']
 */
export class StaticDiscovery implements Discovery {
  readonly endpoints: readonly EndpointInit[];

  /**
   * @example
   * const discovery = new StaticDiscovery(['10.0.0.1:8080', '10.0.0.2:8080']); // as staticDiscovery(…) makes it
   */
  constructor(endpoints: readonly EndpointInit[]) {
    // A string would be read character by character, and the error would name "discovery[0]".
    if (!Array.isArray(endpoints)) throw new ConfigError('staticDiscovery', 'endpoints', 'must be an array of endpoints', endpoints);
    // Spread reads by index: a hole (`[a, , b]`) becomes the `undefined` it is, which the
    // client's check refuses at its index rather than skipping.
    this.endpoints = Object.freeze([...endpoints]);
  }

  /**
   * Serves the list once, at once; there is nothing to stop.
   *
   * @example
   * const stop = staticDiscovery(['10.0.0.1:8080']).watch((list) => console.log(list)); // logs the list
   */
  watch(update: (endpoints: readonly EndpointInit[]) => void): () => void {
    update(this.endpoints);
    return noop;
  }
}

function noop(): void {}
