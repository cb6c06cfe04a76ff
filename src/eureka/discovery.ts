// eurekaDiscovery: the instances of one application from Eureka's REST API, refreshed every
// `interval` as Eureka's client does, by full fetches of /apps/{APP} or by deltas checked
// against the registry's hash code.
import type { Discovery } from '../discovery/discovery.js';
import { ConfigError } from '../errors.js';
import { checkBytes, loopDiscovery, type DiscoveryLoop, rejectOnce, retrySource, setPusher, sleep } from '../discovery/support.js';
import { EurekaError } from './errors.js';
import { failed, jsonObject, type EurekaAnswer } from './http.js';
import { asList, essentials, isObject, mapInstances, type InstanceSettings } from './instances.js';
import { RegistryMirror } from './mirror.js';
import { EurekaServers } from './servers.js';
import { DISCOVERY_KEYS, EUREKA_DEFAULTS, ms, resolveConnection, type EurekaDiscoveryOptions, type ResolvedConnection } from './options.js';
import { messageOf } from '../message-of.js';

const WHO = 'eurekaDiscovery';

interface Settings extends InstanceSettings {
  readonly c: ResolvedConnection;
  readonly interval: number;
  readonly delta: boolean;
  readonly maxBytes: number;
}

/**
 * Discovery from Eureka: the `UP` instances of `app`, on their secure port (https) when it is
 * enabled and `secure` allows, else their plain port; host from `ipAddr` (or `hostName`);
 * metadata from the instance's metadata plus `eureka.instanceId`, `eureka.app`,
 * `eureka.hostName`, `eureka.vipAddress`; zone from an Amazon `availability-zone` or the
 * `zone` metadata entry. Refreshed every 30 s; Eureka down: the client keeps the last good
 * set, a `discoveryError` says why, and the adapter retries with backoff. `url` may list several
 * servers: a network error or a 5xx moves on to the next (servers.ts).
 *
 * @example
 * import { eurekaDiscovery } from 'bulwark/eureka';
 * const orders = createClient({ name: 'orders', discovery: eurekaDiscovery({ url: 'http://eureka:8761/eureka', app: 'ORDERS' }) });
 * const billing = createClient({ name: 'billing', discovery: eurekaDiscovery({ url: 'http://peer1:8761/eureka,http://peer2:8761/eureka', app: 'BILLING' }) });
 */
export function eurekaDiscovery(options: EurekaDiscoveryOptions): Discovery {
  const c = resolveConnection(WHO, options, DISCOVERY_KEYS);
  const secure = options.secure ?? EUREKA_DEFAULTS.secure;
  if (secure !== 'prefer' && secure !== 'only' && secure !== 'never') throw new ConfigError(WHO, 'secure', "must be 'prefer', 'only' or 'never'", secure);
  const delta = options.delta ?? EUREKA_DEFAULTS.delta;
  const useHostName = options.useHostName ?? EUREKA_DEFAULTS.useHostName;
  if (typeof delta !== 'boolean') throw new ConfigError(WHO, 'delta', 'must be a boolean', delta);
  if (typeof useHostName !== 'boolean') throw new ConfigError(WHO, 'useHostName', 'must be a boolean', useHostName);
  if (options.vipAddress !== undefined && (typeof options.vipAddress !== 'string' || options.vipAddress === '')) throw new ConfigError(WHO, 'vipAddress', 'must be a non-empty string', options.vipAddress);
  const settings: Settings = {
    c, app: c.app, secure, delta, useHostName, vipAddress: options.vipAddress,
    interval: ms(WHO, 'interval', options.interval ?? EUREKA_DEFAULTS.interval, 1),
    maxBytes: checkBytes(WHO, 'maxResponseBytes', options.maxResponseBytes, EUREKA_DEFAULTS.maxResponseBytes),
  };
  return loopDiscovery((loop) => run(settings, loop));
}

async function run(s: Settings, { signal, update, error, rejected }: DiscoveryLoop): Promise<void> {
  const source = new Source(s, signal);
  let seen: string | undefined;
  const sets = setPusher(update, error);
  // A rejected instance is reported once while it stays the same, whatever the others do.
  const rejections = rejectOnce(rejected);
  // After a failed refresh the next answer is mapped even when unchanged, so that its set is
  // pushed (setPusher pushes the first set after an error).
  const refreshFailed = (err: unknown): void => {
    seen = undefined;
    sets.error(err);
  };
  while (!signal.aborted) {
    let instances: unknown[];
    try {
      instances = await retrySource(() => source.refresh(), signal, refreshFailed, s.c.backoff);
    } catch {
      return; // only an abort ends retrySource
    }
    // Heartbeats change timestamps on every refresh; only the fields that make an endpoint count.
    // An answer too deeply nested to stringify is mapped every time (its bad instance is rejected).
    let key: string | undefined;
    try {
      key = JSON.stringify(instances.map(essentials));
    } catch {
      key = undefined;
    }
    if (key === undefined || key !== seen) {
      seen = key;
      try {
        const { endpoints, rejected: dropped } = mapInstances(instances, s);
        rejections.report(dropped);
        // Kept only when every instance was invalid: ones left out on purpose (not UP) make a real set.
        if (endpoints.length === 0 && dropped.length > 0 && dropped.length === instances.length) {
          source.restart();
          // `seen` stays: this answer is reported once.
          sets.error(new EurekaError(s.app, `every one of the ${dropped.length} instances Eureka returned was invalid; keeping the last good set`));
        } else {
          sets.push(endpoints);
        }
      } catch (err) {
        // Nothing in an answer may end the loop: report it, keep the last set, and go on.
        source.restart();
        refreshFailed(new EurekaError(s.app, `could not read Eureka's answer (${messageOf(err)}); keeping the last good set`, undefined, { cause: err }));
      }
    }
    await sleep(s.interval, signal);
  }
}

/**
 * Where instances come from: `/apps/{APP}`, or the whole registry kept current by deltas. A
 * delta is applied only to a copy read from the same server with no failure reported since: an
 * outage may outlast the 3 min Eureka keeps deltas, so after any failure (`restart`), or once
 * another server answers, the next refresh reads the whole registry again.
 */
class Source {
  readonly #s: Settings;
  readonly #signal: AbortSignal;
  readonly #servers: EurekaServers;
  readonly #mirror: RegistryMirror | undefined;
  #useDelta: boolean;
  /** The server the mirror was read from; undefined: read it whole next time. */
  #from: string | undefined;

  constructor(s: Settings, signal: AbortSignal) {
    this.#s = s;
    this.#signal = signal;
    this.#servers = new EurekaServers(s.c);
    this.#useDelta = s.delta;
    this.#mirror = s.delta ? new RegistryMirror(s.app) : undefined;
  }

  /** The next refresh reads the whole registry (with deltas), not a delta. */
  restart(): void {
    this.#from = undefined;
  }

  async refresh(): Promise<unknown[]> {
    try {
      return await this.#refresh();
    } catch (err) {
      this.restart();
      throw err;
    }
  }

  async #refresh(): Promise<unknown[]> {
    const mirror = this.#mirror;
    if (!this.#useDelta || mirror === undefined) return this.#fetchApp();
    if (this.#from === undefined) return this.#fetchAll(mirror);
    const res = await this.#get('/apps/delta');
    if (res.status === 403 || res.status === 404 || res.status === 501) {
      // The server has deltas turned off (Eureka answers 403 then): full fetches of the app from now on.
      this.#useDelta = false;
      return this.#fetchApp();
    }
    // Another server's deltas are not the ones the mirror missed: read it whole from this one.
    if (res.server !== this.#from) return this.#fetchAll(mirror);
    const hashcode = mirror.apply(applicationsOf(this.#s.c, res, 'GET /apps/delta'));
    if (hashcode !== undefined && hashcode === mirror.hashcode()) return mirror.instances();
    // A missed or reordered delta: the copy differs from the server's; start again from a full fetch.
    this.#from = undefined;
    return this.#fetchAll(mirror);
  }

  #get(path: string): Promise<EurekaAnswer> {
    return this.#servers.request(path, this.#signal, { maxBytes: this.#s.maxBytes });
  }

  async #fetchAll(mirror: RegistryMirror): Promise<unknown[]> {
    const res = await this.#get('/apps');
    const applications = applicationsOf(this.#s.c, res, 'GET /apps');
    // A whole registry without one instance is a restarted (or wrong) Eureka, not every service
    // gone at once: an error that keeps the last set, as a 404 for /apps/{APP} is.
    if (!asList(applications.application).some((app) => isObject(app) && asList(app.instance).length > 0)) {
      throw new EurekaError(this.#s.app, `Eureka at ${res.server} answered GET /apps with an empty registry (no application has an instance: a restarted server?); keeping the last good set`, res.status);
    }
    mirror.replace(applications);
    this.#from = res.server;
    return mirror.instances();
  }

  async #fetchApp(): Promise<unknown[]> {
    const path = `/apps/${encodeURIComponent(this.#s.app)}`;
    const res = await this.#get(path);
    // Eureka answers 404 for an app with no instance at all; so does a wrong URL. Either way the
    // last good set stays, with an error saying so.
    if (res.status === 404) throw new EurekaError(this.#s.app, `Eureka at ${res.server} does not know the application ${this.#s.app} (GET ${path} answered 404)`, 404);
    if (res.status !== 200) throw failed(this.#s.c, res, `GET ${path}`);
    const body = jsonObject(this.#s.c, res, `GET ${path}`);
    if (!isObject(body.application)) throw new EurekaError(this.#s.app, `Eureka at ${res.server} answered GET ${path} without an "application" object`, res.status);
    return asList(body.application.instance);
  }
}

function applicationsOf(c: ResolvedConnection, res: EurekaAnswer, what: string): Record<string, unknown> {
  const body = jsonObject(c, res, what);
  if (!isObject(body.applications)) throw new EurekaError(c.app, `Eureka at ${res.server} answered ${what} without an "applications" object`, res.status);
  return body.applications;
}
