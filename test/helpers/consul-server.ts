// A local stand-in for a Consul agent's `GET /v1/health/service/:service`, written from Consul's
// documentation (HTTP API "Health", "Blocking Queries", "ACLs"): the JSON it answers, the
// X-Consul-Index header, blocking until the index passes `index` or `wait` (+ up to wait/16)
// elapses, `passing`, `tag` (repeatable, case-insensitive) and `dc` filters, 403 for an unknown
// token and ACL-filtered (empty) answers for a missing one. No Consul binary can run here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { restartableListener } from './servers.js';

export type CheckStatus = 'passing' | 'warning' | 'critical' | 'maintenance';

/** One registered service instance, as a test describes it. */
export interface ConsulInstance {
  id: string;
  service: string;
  node?: string;
  nodeAddress?: string;
  /** Service.Address; `''` makes clients fall back to the node's address. */
  address?: string;
  port: unknown;
  tags?: string[];
  meta?: Record<string, unknown>;
  nodeMeta?: Record<string, string>;
  weights?: { Passing: number; Warning: number } | null;
  datacenter?: string;
  /** Statuses of the instance's checks (node's serfHealth first); default all passing. */
  checks?: CheckStatus[];
}

/** A request the fake server received. */
export interface ConsulRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly token: string | undefined;
  readonly blocking: boolean;
}

interface Waiter {
  service: string;
  min: bigint;
  answer: () => void;
}

/** The fake agent: change its catalog, and watch what clients ask. */
export interface ConsulServer {
  readonly url: string;
  readonly port: number;
  readonly requests: ConsulRequest[];
  /** Blocking requests being held now. */
  readonly holding: number;
  /** Blocking requests whose connection the client closed while held. */
  readonly abandoned: number;
  /** Registers (or replaces) an instance; the index moves on. */
  register(instance: ConsulInstance): void;
  deregister(id: string): void;
  setChecks(id: string, checks: CheckStatus[]): void;
  /** Adds an entry exactly as given (any JSON), for malformed-entry tests. */
  registerRaw(service: string, entry: unknown): void;
  /** Answers every request at once with this instead of the catalog, never blocking (or restores normal answers with `undefined`). */
  override(answer: { status?: number; body: string; index?: string | null } | undefined): void;
  /** A snapshot restore: the index becomes `index` (lower), and every held query is answered now. */
  restore(index: number): void;
  readonly index: bigint;
  /** Holds blocking requests forever, ignoring `wait` (a stuck agent or a silently dropped connection). */
  hangBlocking: boolean;
  /** Closes the listener and every connection (Consul down); `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the fake agent on 127.0.0.1 (a free port). With `token`, requests must carry it in
 * `X-Consul-Token` (or `?token=`): a different token gets 403 "ACL not found", none gets the
 * ACL-filtered answer (`[]` and `X-Consul-Results-Filtered-By-ACLs: true`), as Consul does.
 *
 * @example
 * const consul = await startConsulServer({ token: 's3cret' });
 * consul.register({ id: 'web-1', service: 'web', address: '127.0.0.1', port: 8080 });
 */
export async function startConsulServer(options: { token?: string; datacenter?: string; port?: number } = {}): Promise<ConsulServer> {
  const dc = options.datacenter ?? 'dc1';
  const entries = new Map<string, { service: string; entry: unknown; index: bigint }>();
  const serviceIndex = new Map<string, bigint>();
  let index = 10n;
  let rawSeq = 0;
  let overrideAnswer: { status?: number; body: string; index?: string | null } | undefined;
  const waiters = new Set<Waiter>();
  const requests: ConsulRequest[] = [];
  let holding = 0;
  let abandoned = 0;

  const bump = (service: string): void => {
    index += 1n;
    serviceIndex.set(service, index);
    for (const w of [...waiters]) if (w.service === service && index > w.min) w.answer();
  };
  const indexOf = (service: string): bigint => serviceIndex.get(service) ?? index;

  const toEntry = (i: ConsulInstance): unknown => {
    const node = i.node ?? `node-${i.id}`;
    const checks = i.checks ?? ['passing', 'passing'];
    return {
      Node: { ID: `id-${node}`, Node: node, Address: i.nodeAddress ?? '127.0.0.1', Datacenter: i.datacenter ?? dc, TaggedAddresses: { lan: i.nodeAddress ?? '127.0.0.1', wan: i.nodeAddress ?? '127.0.0.1' }, Meta: i.nodeMeta ?? { 'consul-network-segment': '' }, CreateIndex: Number(index), ModifyIndex: Number(index) },
      Service: {
        ID: i.id, Service: i.service, Tags: i.tags ?? [], Address: i.address ?? '', TaggedAddresses: {}, Meta: i.meta ?? {}, Port: i.port,
        ...(i.weights === null ? {} : { Weights: i.weights ?? { Passing: 1, Warning: 1 } }),
        EnableTagOverride: false, Namespace: 'default', CreateIndex: Number(index), ModifyIndex: Number(index),
      },
      Checks: checks.map((status, n) => ({
        Node: node, CheckID: n === 0 ? 'serfHealth' : `service:${i.id}:${n}`, Name: n === 0 ? 'Serf Health Status' : `Service '${i.service}' check`,
        Status: status, Notes: '', Output: '', ServiceID: n === 0 ? '' : i.id, ServiceName: n === 0 ? '' : i.service, ServiceTags: n === 0 ? [] : i.tags ?? [], Type: n === 0 ? '' : 'ttl', Namespace: 'default',
      })),
    };
  };

  const select = (service: string, q: URLSearchParams): unknown[] => {
    const wantDc = q.get('dc') ?? dc;
    const tags = q.getAll('tag').map((t) => t.toLowerCase());
    const passing = q.has('passing') && q.get('passing') !== 'false';
    const out: unknown[] = [];
    for (const { service: s, entry } of entries.values()) {
      if (s !== service) continue;
      const e = entry as { Node?: { Datacenter?: string }; Service?: { Tags?: unknown }; Checks?: { Status?: string }[] };
      if (e?.Node?.Datacenter !== undefined && e.Node.Datacenter !== wantDc) continue;
      const own = Array.isArray(e?.Service?.Tags) ? (e.Service.Tags as unknown[]).map((t) => String(t).toLowerCase()) : [];
      if (!tags.every((t) => own.includes(t))) continue;
      if (passing && Array.isArray(e?.Checks) && e.Checks.some((c) => c?.Status !== 'passing')) continue;
      out.push(entry);
    }
    return out;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://consul');
    const header = req.headers['x-consul-token'];
    const token = typeof header === 'string' ? header : url.searchParams.get('token') ?? undefined;
    const min = url.searchParams.has('index') ? BigInt(url.searchParams.get('index')!) : 0n;
    requests.push({ path: url.pathname, query: url.searchParams, token, blocking: min > 0n });
    const m = /^\/v1\/health\/service\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || m === null) return void res.writeHead(404).end('Not found');
    const service = decodeURIComponent(m[1]!);
    if (options.token !== undefined && token !== undefined && token !== options.token) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('ACL not found');
    const wantDc = url.searchParams.get('dc');
    if (wantDc !== null && wantDc !== dc) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('No path to datacenter');
    const answer = (): void => {
      if (res.writableEnded || res.destroyed) return;
      if (overrideAnswer !== undefined) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (overrideAnswer.index !== null) headers['x-consul-index'] = overrideAnswer.index ?? String(indexOf(service));
        return void res.writeHead(overrideAnswer.status ?? 200, headers).end(overrideAnswer.body);
      }
      const filtered = options.token !== undefined && token === undefined;
      const headers: Record<string, string> = {
        'content-type': 'application/json', 'x-consul-index': String(indexOf(service)), 'x-consul-knownleader': 'true', 'x-consul-lastcontact': '0',
      };
      if (filtered) headers['x-consul-results-filtered-by-acls'] = 'true';
      res.writeHead(200, headers).end(JSON.stringify(filtered ? [] : select(service, url.searchParams)));
    };
    // An override is a misbehaving server: it answers at once, blocking or not.
    if (overrideAnswer !== undefined || min === 0n || indexOf(service) > min) return answer();
    // Blocking: hold until the service's index passes `min`, or wait (+ up to wait/16) elapses.
    const wait = Math.min(parseDuration(url.searchParams.get('wait')) ?? 300_000, 600_000);
    holding++;
    const waiter: Waiter = {
      service, min,
      answer: () => {
        if (!waiters.delete(waiter)) return;
        holding--;
        clearTimeout(timer);
        answer();
      },
    };
    waiters.add(waiter);
    const timer = setTimeout(() => { if (!state.hangBlocking) waiter.answer(); }, wait + Math.random() * (wait / 16));
    res.on('close', () => {
      if (waiters.delete(waiter)) {
        holding--;
        abandoned++;
        clearTimeout(timer);
      }
    });
  };

  const listener = restartableListener(handle, options.port ?? 0);
  const stop = async (): Promise<void> => {
    // Blocking queries held open end with their connections.
    for (const w of [...waiters]) { waiters.delete(w); holding--; }
    await listener.stop();
  };

  await listener.listen();
  const state: ConsulServer = {
    get url() { return `http://127.0.0.1:${listener.port}`; },
    get port() { return listener.port; },
    requests,
    get holding() { return holding; },
    get abandoned() { return abandoned; },
    get index() { return index; },
    register(instance) {
      entries.set(instance.id, { service: instance.service, entry: toEntry(instance), index });
      bump(instance.service);
    },
    deregister(id) {
      const e = entries.get(id);
      if (e === undefined) return;
      entries.delete(id);
      bump(e.service);
    },
    setChecks(id, checks) {
      const e = entries.get(id);
      if (e === undefined) throw new Error(`no instance ${id}`);
      (e.entry as { Checks: { Status: string }[] }).Checks.forEach((c, n) => { c.Status = checks[n] ?? 'passing'; });
      bump(e.service);
    },
    registerRaw(service, entry) {
      entries.set(`raw-${rawSeq++}`, { service, entry, index });
      bump(service);
    },
    override(answer) {
      overrideAnswer = answer;
    },
    restore(to) {
      index = BigInt(to);
      for (const s of serviceIndex.keys()) serviceIndex.set(s, index);
      for (const w of [...waiters]) w.answer();
    },
    hangBlocking: false,
    stop,
    start: () => listener.listen(),
    close: stop,
  };
  return state;
}

/** A Go duration as Consul reads `wait`: "10s", "5m", "1500ms", "1m30s". */
function parseDuration(text: string | null): number | undefined {
  if (text === null) return undefined;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let read = 0;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * units[m[2]!]!;
    read = re.lastIndex;
  }
  return read === text.length && read > 0 ? total : undefined;
}
