// eurekaRegistration: a service registers itself with Eureka, renews its lease with heartbeats
// (registering again when Eureka has forgotten it), and cancels the lease on stop.
import { ConfigError } from '../errors.js';
import { retrySource, sleep } from '../discovery/support.js';
import { EurekaError } from './errors.js';
import { failed } from './http.js';
import { mapInstances } from './instances.js';
import { checkKeys } from '../config/keys.js';
import { EurekaServers } from './servers.js';
import { EUREKA_DEFAULTS, INSTANCE_KEYS, ms, REGISTRATION_KEYS, resolveConnection, type EurekaInstance, type EurekaRegistrationOptions } from './options.js';

const WHO = 'eurekaRegistration';

/** A running registration. */
export interface EurekaRegistration {
  /** The instance id registered. */
  readonly instanceId: string;
  /** Resolves once Eureka accepted the first registration; rejects if `stop()` came first. */
  readonly registered: Promise<void>;
  /** Stops heartbeats and cancels the registration (`DELETE`), after a registration in flight has ended; settles within twice the request timeout for each Eureka server in `url`. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Registers `instance` under `app` (`POST /apps/{APP}`, status UP), renews the lease every 30 s
 * (`PUT /apps/{APP}/{id}`; a 404 means Eureka dropped it, so it registers again) and cancels it
 * on `stop()` (`DELETE`). Registration is retried with backoff until Eureka accepts it; every
 * failure goes to `onError`. An instance eurekaDiscovery would drop is a ConfigError at once.
 * With several servers in `url`, each request goes to the one that answered last, moving on to
 * the next on a network error or a 5xx (servers.ts).
 *
 * @example
 * import { eurekaRegistration } from 'bulwark/eureka';
 * const reg = eurekaRegistration({ url: 'http://eureka:8761/eureka', app: 'orders', instance: { hostName: 'orders-1', ipAddr: '10.0.0.5', port: 8080 } });
 * process.on('SIGTERM', () => void reg.stop());
 */
export function eurekaRegistration(options: EurekaRegistrationOptions): EurekaRegistration {
  const c = resolveConnection(WHO, options, REGISTRATION_KEYS);
  const listener = options.onError ?? (() => {});
  if (typeof listener !== 'function') throw new ConfigError(WHO, 'onError', 'must be a function', listener);
  // A listener that throws must not end the registration (p-retry gives up when onFailedAttempt throws).
  const onError = (err: unknown): void => {
    try {
      listener(err);
    } catch {
      // the listener's own failure is not ours to raise
    }
  };
  const heartbeat = ms(WHO, 'heartbeatInterval', options.heartbeatInterval ?? EUREKA_DEFAULTS.heartbeatInterval, 1);
  const lease = ms(WHO, 'leaseDuration', options.leaseDuration ?? EUREKA_DEFAULTS.leaseDuration, 1_000);
  // Eureka evicts an instance whose lease ran out between two heartbeats: it would flap.
  if (heartbeat >= lease) throw new ConfigError(WHO, 'heartbeatInterval', `must be shorter than leaseDuration (${lease} ms), or Eureka evicts the instance between heartbeats`, heartbeat);
  const { instanceId, instance } = instanceBody(c.app, options.instance, heartbeat, lease);
  const path = `/apps/${encodeURIComponent(c.app)}`;
  const idPath = `${path}/${encodeURIComponent(instanceId)}`;
  // Every request goes to the server that answered last, moving on to the next on a network error or a 5xx.
  const servers = new EurekaServers(c);
  const controller = new AbortController();
  const signal = controller.signal;
  let attempted = false;
  // Sent in the registration and with every heartbeat: Eureka answers 404 to a heartbeat whose
  // lastDirtyTimestamp is newer than the one it holds, so both must carry the same value (as
  // Eureka's client sends them; a body without one is stamped with Eureka's own clock).
  let lastDirty = Date.now();

  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const registered = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
  registered.catch(() => {}); // a caller who never looks at it gets no unhandled rejection

  // The registration POST in flight. stop() does not abort it but waits for it (bounded by
  // `timeout`): Eureka may be handling it already, and one it handles after stop's DELETE would
  // leave the instance registered until its lease expires.
  let posting: Promise<unknown> = Promise.resolve();
  const register = async (): Promise<void> => {
    attempted = true;
    const stamp = String(lastDirty); // InstanceInfo's JSON carries its timestamps as strings of ms
    const body = JSON.stringify({ instance: { ...instance, lastUpdatedTimestamp: stamp, lastDirtyTimestamp: stamp } });
    const sent = servers.request(path, new AbortController().signal, { method: 'POST', body });
    posting = sent.catch(() => {});
    const res = await sent;
    if (res.status !== 204 && res.status !== 200) throw failed(c, res, `POST ${path}`);
  };
  const report = (err: unknown): void => {
    if (!signal.aborted) onError(err);
  };

  const loop = (async (): Promise<void> => {
    await retrySource(register, signal, report, c.backoff);
    settle.resolve();
    while (!signal.aborted) {
      await sleep(heartbeat, signal);
      if (signal.aborted) return;
      try {
        const res = await servers.request(`${idPath}?status=UP&lastDirtyTimestamp=${lastDirty}`, signal, { method: 'PUT' });
        if (res.status === 404) {
          report(new EurekaError(c.app, `Eureka no longer knows instance ${instanceId} (heartbeat answered 404); registering again`, 404));
          // A new registration is a newer InstanceInfo, as Eureka's client marks it (setIsDirtyWithTime).
          lastDirty = Math.max(Date.now(), lastDirty + 1);
          await retrySource(register, signal, report, c.backoff);
        } else if (res.status !== 200) report(failed(c, res, `PUT ${idPath}`));
      } catch (err) {
        report(err);
      }
    }
  })().catch(() => {}); // an abort while registering

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    controller.abort();
    await loop;
    await posting;
    settle.reject(new EurekaError(c.app, `registration of ${instanceId} stopped before Eureka accepted it`));
    if (!attempted) return;
    try {
      const res = await servers.request(idPath, new AbortController().signal, { method: 'DELETE' });
      if (res.status !== 200 && res.status !== 404) onError(failed(c, res, `DELETE ${idPath}`));
    } catch (err) {
      onError(err);
    }
  };
  return {
    instanceId,
    registered,
    stop: () => (stopped ??= stop()),
  };
}

/** The registration body: Eureka's InstanceInfo JSON, but for its timestamps. */
function instanceBody(app: string, i: EurekaInstance, heartbeat: number, lease: number): { instanceId: string; instance: Record<string, unknown> } {
  if (i === null || typeof i !== 'object') throw new ConfigError(WHO, 'instance', 'must be an object', i);
  checkKeys(WHO, i, 'instance.', INSTANCE_KEYS);
  for (const field of ['hostName', 'ipAddr'] as const) {
    if (typeof i[field] !== 'string' || i[field] === '' || /[\s/]/.test(i[field])) throw new ConfigError(WHO, `instance.${field}`, 'must be a host name or address', i[field]);
  }
  const port = (v: unknown, field: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65_535) throw new ConfigError(WHO, `instance.${field}`, 'must be an integer from 1 to 65535', v);
    return v;
  };
  const plain = port(i.port, 'port');
  const secure = port(i.securePort, 'securePort');
  if (plain === undefined && secure === undefined) throw new ConfigError(WHO, 'instance.port', 'or instance.securePort must be given', undefined);
  if (i.metadata !== undefined && (i.metadata === null || typeof i.metadata !== 'object' || Array.isArray(i.metadata) || Object.values(i.metadata).some((v) => typeof v !== 'string'))) throw new ConfigError(WHO, 'instance.metadata', 'must be an object of strings', i.metadata);
  const instanceId = i.instanceId ?? `${i.hostName}:${app.toLowerCase()}:${plain ?? secure}`;
  // "." and ".." would be dot segments of its URL: fetch would send heartbeats and the DELETE elsewhere.
  if (typeof instanceId !== 'string' || instanceId === '' || instanceId === '.' || instanceId === '..' || /[\s/?#]/.test(instanceId)) throw new ConfigError(WHO, 'instance.instanceId', 'must be a non-empty string without spaces, "/", "?" or "#", and not "." or ".."', instanceId);
  // Strings Eureka keeps as they are: another type would be registered as JSON of another shape.
  for (const field of ['vipAddress', 'secureVipAddress', 'homePageUrl', 'statusPageUrl', 'healthCheckUrl'] as const) {
    const v: unknown = i[field];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new ConfigError(WHO, `instance.${field}`, 'must be a non-empty string', v);
  }
  const vip = i.vipAddress ?? app.toLowerCase();
  const instance = {
    instanceId, hostName: i.hostName, app, ipAddr: i.ipAddr, status: 'UP', overriddenStatus: 'UNKNOWN',
    port: { $: plain ?? 80, '@enabled': plain === undefined ? 'false' : 'true' },
    securePort: { $: secure ?? 443, '@enabled': secure === undefined ? 'false' : 'true' },
    countryId: 1,
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    leaseInfo: { renewalIntervalInSecs: Math.max(1, Math.round(heartbeat / 1000)), durationInSecs: Math.ceil(lease / 1000) },
    metadata: { ...(i.metadata ?? {}) },
    vipAddress: vip, secureVipAddress: i.secureVipAddress ?? vip,
    ...(i.homePageUrl === undefined ? {} : { homePageUrl: i.homePageUrl }),
    ...(i.statusPageUrl === undefined ? {} : { statusPageUrl: i.statusPageUrl }),
    ...(i.healthCheckUrl === undefined ? {} : { healthCheckUrl: i.healthCheckUrl }),
  };
  checkReadable(app, instance);
  return { instanceId, instance };
}

/**
 * Reads `instance` as eurekaDiscovery does (its own reader, instances.ts), with each reader's
 * choice of host (`ipAddr`, or `hostName` with `useHostName`) and port (`secure`): an instance a
 * discoverer would drop (an `ipAddr` with a port in it, a `constructor` metadata key, metadata
 * over the record size limit) is refused now, not registered. Metadata is not echoed.
 */
function checkReadable(app: string, instance: Record<string, unknown>): void {
  for (const useHostName of [false, true]) {
    for (const secure of ['prefer', 'never'] as const) {
      const [rejected] = mapInstances([instance], { app, secure, useHostName, vipAddress: undefined }).rejected;
      if (rejected !== undefined) throw new ConfigError(WHO, 'instance', `cannot be registered, eurekaDiscovery would drop it: ${rejected.reason}`, rejected.entry);
    }
  }
}
