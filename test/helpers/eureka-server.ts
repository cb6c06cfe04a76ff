// A local stand-in for a Eureka server's REST API (under /eureka), written from Eureka's
// documentation (the "Eureka REST operations" wiki page) and its JSON codec: full fetches
// (/apps, /apps/{APP}), deltas (/apps/delta with actionType and apps__hashcode, a recent-change
// queue), registration (POST → 204), heartbeats (PUT → 200, 404 for an unknown instance),
// cancel (DELETE), status overrides and lease expiry. No Eureka server can run here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { restartableListener } from './servers.js';

type Json = Record<string, unknown>;

interface Lease {
  instance: Json;
  renewedAt: number;
  durationMs: number;
}

/** A request the fake server received. */
export interface EurekaRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

/** The fake server: change its registry, and watch what clients do. */
export interface EurekaServer {
  /** The service URL clients are given: `http://127.0.0.1:PORT/eureka`. */
  readonly url: string;
  readonly requests: EurekaRequest[];
  /** Puts an instance in the registry directly (as if it had registered); recorded as a delta. */
  put(app: string, instance: Json): void;
  remove(app: string, id: string): void;
  setStatus(app: string, id: string, status: string): void;
  /** The instances Eureka holds for `app` now. */
  instances(app: string): Json[];
  /** Forgets the recent-change queue, as when a client missed deltas past the retention window. */
  clearDeltas(): void;
  /** Deltas turned off (server's `disableDelta`): /apps/delta answers 403. */
  deltaDisabled: boolean;
  /** Write a one-instance application as an object rather than an array (older servers' JSON). */
  singleAsObject: boolean;
  /** Answers every request with this instead (or normal answers again with `undefined`). */
  override(answer: { status?: number; body: string } | undefined): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the fake server on 127.0.0.1. `leaseMs` overrides every lease's duration (Eureka
 * reads `leaseInfo.durationInSecs`, default 90 s) and `evictionMs` is how often expired leases
 * are evicted (Eureka: 60 s), so tests can watch a crashed instance disappear.
 *
 * @example
 * const eureka = await startEurekaServer();
 * eureka.put('ORDERS', eurekaInstance('orders-1', '127.0.0.1', 8080));
 */
export async function startEurekaServer(options: { leaseMs?: number; evictionMs?: number } = {}): Promise<EurekaServer> {
  const registry = new Map<string, Map<string, Lease>>();
  let deltas: { app: string; instance: Json; action: 'ADDED' | 'MODIFIED' | 'DELETED' }[] = [];
  let version = 1;
  const requests: EurekaRequest[] = [];
  let overrideAnswer: { status?: number; body: string } | undefined;

  const now = (): number => Date.now();
  const record = (app: string, instance: Json, action: 'ADDED' | 'MODIFIED' | 'DELETED'): void => {
    deltas.push({ app, instance: { ...instance }, action });
    if (deltas.length > 1000) deltas.shift();
    version++;
  };
  const put = (appName: string, instance: Json, durationMs?: number): void => {
    const app = appName.toUpperCase();
    let leases = registry.get(app);
    if (leases === undefined) registry.set(app, (leases = new Map()));
    const id = String(instance.instanceId ?? instance.hostName);
    const existed = leases.has(id);
    const stamped = { ...instance, app, lastUpdatedTimestamp: String(now()), lastDirtyTimestamp: String(now()) };
    const leaseInfo = (instance.leaseInfo ?? {}) as { durationInSecs?: number };
    leases.set(id, { instance: stamped, renewedAt: now(), durationMs: options.leaseMs ?? durationMs ?? (leaseInfo.durationInSecs ?? 90) * 1000 });
    record(app, stamped, existed ? 'MODIFIED' : 'ADDED');
  };
  const remove = (appName: string, id: string): boolean => {
    const app = appName.toUpperCase();
    const lease = registry.get(app)?.get(id);
    if (lease === undefined) return false;
    registry.get(app)!.delete(id);
    if (registry.get(app)!.size === 0) registry.delete(app);
    record(app, lease.instance, 'DELETED');
    return true;
  };
  const hashcode = (): string => {
    const counts = new Map<string, number>();
    for (const leases of registry.values()) for (const { instance } of leases.values()) counts.set(String(instance.status), (counts.get(String(instance.status)) ?? 0) + 1);
    return [...counts.keys()].sort().map((s) => `${s}_${counts.get(s)}_`).join('');
  };
  const list = <T>(items: T[]): T[] | T => (state.singleAsObject && items.length === 1 ? items[0]! : items);
  const application = (app: string, instances: Json[]): Json => ({ name: app, instance: list(instances) });
  const full = (): Json => ({
    applications: {
      versions__delta: String(version), apps__hashcode: hashcode(),
      application: list([...registry.entries()].map(([app, leases]) => application(app, [...leases.values()].map((l) => ({ ...l.instance, actionType: 'ADDED' }))))),
    },
  });
  const delta = (): Json => {
    const byApp = new Map<string, Json[]>();
    for (const d of deltas) {
      if (!byApp.has(d.app)) byApp.set(d.app, []);
      byApp.get(d.app)!.push({ ...d.instance, actionType: d.action });
    }
    return { applications: { versions__delta: String(version), apps__hashcode: hashcode(), application: [...byApp.entries()].map(([app, instances]) => application(app, instances)) } };
  };

  const json = (res: ServerResponse, status: number, body?: unknown): void => {
    if (body === undefined) return void res.writeHead(status).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://eureka');
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers });
      if (overrideAnswer !== undefined) return void res.writeHead(overrideAnswer.status ?? 200, { 'content-type': 'application/json' }).end(overrideAnswer.body);
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (parts[0] !== 'eureka' || parts[1] !== 'apps') return json(res, 404);
      // Eureka answers XML unless asked for JSON.
      const wantsJson = (req.headers.accept ?? '').includes('application/json');
      const answer = (body: Json): void => {
        if (wantsJson) return json(res, 200, body);
        res.writeHead(200, { 'content-type': 'application/xml' }).end('<applications><versions__delta>1</versions__delta></applications>');
      };
      const [, , app, id, sub] = parts;
      const method = req.method;
      if (method === 'GET' && app === undefined) return answer(full());
      if (method === 'GET' && app === 'delta' && id === undefined) return state.deltaDisabled ? json(res, 403) : answer(delta());
      if (app === undefined) return json(res, 405);
      const leases = registry.get(app.toUpperCase());
      if (method === 'GET' && id === undefined) return leases === undefined ? json(res, 404) : answer({ application: application(app.toUpperCase(), [...leases.values()].map((l) => l.instance)) });
      if (method === 'POST' && id === undefined) {
        let body: { instance?: Json };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { instance?: Json };
        } catch {
          return json(res, 400);
        }
        if (body.instance === undefined || typeof body.instance.hostName !== 'string') return json(res, 400);
        put(app, body.instance);
        return json(res, 204);
      }
      if (id === undefined) return json(res, 405);
      const lease = leases?.get(id);
      if (method === 'PUT' && sub === 'status') {
        if (lease === undefined) return json(res, 404);
        lease.instance = { ...lease.instance, status: url.searchParams.get('value') ?? 'UP' };
        record(app.toUpperCase(), lease.instance, 'MODIFIED');
        return json(res, 200);
      }
      if (method === 'PUT') {
        if (lease === undefined) return json(res, 404);
        lease.renewedAt = now();
        return json(res, 200);
      }
      if (method === 'DELETE') return json(res, remove(app, id) ? 200 : 404);
      if (method === 'GET') return lease === undefined ? json(res, 404) : answer({ instance: lease.instance });
      return json(res, 405);
    });
  };

  // Lease expiry: an instance that has not renewed within its lease duration is evicted.
  const eviction = setInterval(() => {
    for (const [app, leases] of [...registry.entries()]) for (const [id, lease] of [...leases.entries()]) if (now() - lease.renewedAt > lease.durationMs) remove(app, id);
  }, options.evictionMs ?? 60_000);
  eviction.unref();

  const listener = restartableListener(handle);
  const stop = (): Promise<void> => listener.stop();
  await listener.listen();

  const state: EurekaServer = {
    get url() { return `http://127.0.0.1:${listener.port}/eureka`; },
    requests,
    put: (app, instance) => put(app, instance),
    remove: (app, id) => { remove(app, id); },
    setStatus(app, id, status) {
      const lease = registry.get(app.toUpperCase())?.get(id);
      if (lease === undefined) throw new Error(`no instance ${id}`);
      lease.instance = { ...lease.instance, status };
      record(app.toUpperCase(), lease.instance, 'MODIFIED');
    },
    instances: (app) => [...(registry.get(app.toUpperCase())?.values() ?? [])].map((l) => l.instance),
    clearDeltas() { deltas = []; },
    deltaDisabled: false,
    singleAsObject: false,
    override(answer) { overrideAnswer = answer; },
    stop,
    start: () => listener.listen(),
    async close() {
      clearInterval(eviction);
      await stop();
    },
  };
  return state;
}

/** An instance in Eureka's JSON, as its client registers one. */
export function eurekaInstance(id: string, ip: string, port: number, extra: Json = {}): Json {
  return {
    instanceId: id, hostName: `${id}.local`, app: 'ORDERS', ipAddr: ip, status: 'UP', overriddenStatus: 'UNKNOWN',
    port: { $: port, '@enabled': 'true' }, securePort: { $: 443, '@enabled': 'false' }, countryId: 1,
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90, registrationTimestamp: 0, lastRenewalTimestamp: 0, evictionTimestamp: 0, serviceUpTimestamp: 0 },
    metadata: { '@class': 'java.util.Collections$EmptyMap' },
    homePageUrl: `http://${ip}:${port}/`, statusPageUrl: `http://${ip}:${port}/info`, healthCheckUrl: `http://${ip}:${port}/health`,
    vipAddress: 'orders', secureVipAddress: 'orders', isCoordinatingDiscoveryServer: 'false',
    ...extra,
  };
}
