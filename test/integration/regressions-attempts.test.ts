// Regression tests for defects of the issue about attempts (items 3, 4 and 8a/8b): a retried 503
// frees its connection first, cancelled attempts are reported and counted, fetch and execute
// can choose what is retried, and a Request body is replayed. All on real servers on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import {
  ClientClosedError, createClient, PluginError, RequestFailedError, roundRobin, TimeoutError,
  type AttemptEvent, type Client, type Outcome,
} from '../../src/index.js';
import { closedPort, hang, ok, status, type Handler } from '../helpers/servers.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();
/** Per endpoint, every attempt sent there is a success, a failure, cancelled or still in flight. */
function expectBooksBalance(client: Client, sent: Map<string, number>): void {
  for (const e of client.stats().endpoints) {
    expect(e.successes + e.failures + e.cancelled + e.inflight, e.id).toBe(sent.get(e.id) ?? 0);
  }
}
/** Answers with its body as the response and keeps every body it received. */
function echo(bodies: string[], code = 200): Handler {
  return (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { body += chunk; });
    req.on('end', () => { bodies.push(body); res.writeHead(code).end(`got ${body}`); });
  };
}

describe('3. a 503 that will be retried has its body cancelled before the retry is sent', () => {
  it("the 503's connection is closed (server-side res 'close') before the next endpoint receives the retry", async () => {
    const order: string[] = [];
    const slow503: Handler = (req, res) => {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.write('the first chunk of a long error page');
      // The rest would come seconds later: only a client that lets go closes this response early.
      const rest = setTimeout(() => res.end('the rest'), 5_000);
      res.on('close', () => { clearTimeout(rest); order.push(res.writableFinished ? 'A finished' : 'A closed'); });
    };
    const b: Handler = (req, res) => { order.push('B request'); ok()(req, res, bServer!); };
    const [aServer, bServer] = await servers(slow503, b);
    const client = track(createClient({
      name: 'svc', discovery: [aServer!.url, bServer!.url], picker: roundRobin({ random: () => 0 }),
      retry: { budget: false, backoff: { base: 0, cap: 0 } },
    }));
    const started = performance.now();
    const res = await client.fetch('/x');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(String(bServer!.port));
    await until(() => order.includes('A closed') || order.includes('A finished'));
    expect(order).toEqual(['A closed', 'B request']);
    expect(aServer!.aborted).toBe(1);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe("4. attempts ended by the caller's abort or close() are reported and counted", () => {
  it("fetch aborted mid-attempt: rejects with the caller's own reason, one 'attempt' event with verdict 'cancelled', books balance", async () => {
    const [s503, hung] = await servers(status(503), hang());
    const client = track(createClient({
      name: 'svc', discovery: [s503!.url, hung!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false },
    }));
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    const controller = new AbortController();
    const pending = client.fetch('/x', { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => hung!.requests.length > 0);
    expect(hung!.requests).toHaveLength(1);
    const reason = { why: 'the user went away' };
    controller.abort(reason);
    expect(await pending).toBe(reason);
    expect(events.map((e) => [e.endpoint.id, e.verdict])).toEqual([[client.endpoints()[0]!.id, 'retry'], [client.endpoints()[1]!.id, 'cancelled']]);
    expect(events[1]!.ok).toBe(false);
    const stats = client.stats();
    expect(stats.attempts).toBe(events.length);
    expect(stats.endpoints.map((e) => e.cancelled)).toEqual([0, 1]);
    expect(stats.endpoints.map((e) => e.inflight)).toEqual([0, 0]);
    expect(stats.calls).toEqual({ started: 1, succeeded: 0, failed: 1, inflight: 0 });
    expectBooksBalance(client, new Map([[client.endpoints()[0]!.id, s503!.requests.length], [client.endpoints()[1]!.id, hung!.requests.length]]));
    await until(() => hung!.aborted === 1);
    expect(hung!.aborted).toBe(1);
  });

  it("execute aborted mid-attempt (fn ignores its signal): rejects with the caller's own reason, one 'attempt' event 'cancelled'", async () => {
    const client = track(createClient({ name: 'svc', discovery: ['127.0.0.1:1'] }));
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    const controller = new AbortController();
    let ran = 0;
    const pending = client.execute(() => { ran++; return new Promise<never>(() => {}); }, { signal: controller.signal }).catch((e: unknown) => e);
    await sleep(20);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await pending).toBe(reason);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ verdict: 'cancelled', ok: false, attempt: 1 });
    const stats = client.stats();
    expect(stats.attempts).toBe(1);
    expect(stats.endpoints[0]).toMatchObject({ cancelled: 1, successes: 0, failures: 0, inflight: 0 });
    expectBooksBalance(client, new Map([[client.endpoints()[0]!.id, ran]]));
  });

  it("close() mid-call: one 'attempt' event with verdict 'cancelled' per call, and fetch and execute reject with ClientClosedError", async () => {
    const [hung] = await servers(hang());
    const client = createClient({ name: 'svc', discovery: [hung!.url] });
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    const fetching = client.fetch('/x').catch((e: unknown) => e);
    const executing = client.execute(() => new Promise<never>(() => {})).catch((e: unknown) => e);
    await until(() => hung!.requests.length > 0);
    await client.close();
    expect(await fetching).toBeInstanceOf(ClientClosedError);
    expect(await executing).toBeInstanceOf(ClientClosedError);
    expect(events.map((e) => e.verdict)).toEqual(['cancelled', 'cancelled']);
    const stats = client.stats();
    expect(stats.attempts).toBe(2);
    expect(stats.endpoints[0]).toMatchObject({ cancelled: 2, inflight: 0, successes: 0, failures: 0 });
    expect(stats.calls.inflight).toBe(0);
  });
});

describe('8a. what fetch and execute retry can be chosen', () => {
  it('client option retry.statusCodes [500] retries a 500 GET on another endpoint, and no longer a 503', async () => {
    const [s500, s503, good] = await servers(status(500), status(503), ok());
    const five = track(createClient({
      name: 'svc', discovery: [s500!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { statusCodes: [500], budget: false },
    }));
    const res = await five.fetch('/x');
    expect(res.status).toBe(200);
    expect([s500!.requests.length, good!.requests.length]).toEqual([1, 1]);
    const three = track(createClient({
      name: 'svc', discovery: [s503!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { statusCodes: [500], budget: false },
    }));
    const not = await three.fetch('/x');
    expect(not.status).toBe(503);
    expect([s503!.requests.length, good!.requests.length]).toEqual([1, 1]);
  });

  it('a per-call classify in fetch init retries a 409 on another endpoint', async () => {
    const [conflict, good] = await servers(status(409), ok());
    const client = track(createClient({ name: 'svc', discovery: [conflict!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const res = await client.fetch('/x', { classify: (o) => (o.ok && o.value.status === 409 ? 'retry' : undefined) });
    expect(res.status).toBe(200);
    expect([conflict!.requests.length, good!.requests.length]).toEqual([1, 1]);
    // Without it, a 409 is an answer.
    expect((await client.fetch('/x')).status).toBe(409);
  });

  it('fetch classify sees an attempt timeout as { ok: false, error: TimeoutError(attempt) }, and its verdict is obeyed', async () => {
    const [hung, good] = await servers(hang(), ok());
    const options = { discovery: [hung!.url, good!.url], timeout: { attempt: 150, total: 5_000 }, retry: { budget: false } } as const;
    const client = track(createClient({ name: 'svc', ...options, picker: roundRobin({ random: () => 0 }) }));
    const seen: Outcome<Response>[] = [];
    const res = await client.fetch('/x', { classify: (o) => { seen.push(o); return undefined; } });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.ok).toBe(false);
    expect((seen[0] as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    expect((seen[0] as { error: TimeoutError }).error.scope).toBe('attempt');
    expect(seen[1]!.ok).toBe(true);
    // 'failure' for the timeout: not retried.
    const strict = track(createClient({ name: 'svc', ...options, picker: roundRobin({ random: () => 0 }) }));
    const err = await strict.fetch('/x', { classify: (o) => (o.ok ? undefined : 'failure') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(good!.requests).toHaveLength(1);
  });

  it('execute classify sees an attempt timeout as { ok: false, error: TimeoutError(attempt) }, and its verdict is obeyed', async () => {
    const options = { discovery: ['127.0.0.1:1', '127.0.0.1:2'], timeout: { attempt: 100, total: 5_000 }, retry: { budget: false } } as const;
    const client = track(createClient({ name: 'svc', ...options }));
    const seen: Outcome<string>[] = [];
    const value = await client.execute(
      (_e, { attempt }) => (attempt === 1 ? new Promise<string>(() => {}) : 'second'),
      { classify: (o) => { seen.push(o); return undefined; } },
    );
    expect(value).toBe('second');
    expect(seen).toHaveLength(2);
    expect((seen[0] as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    expect((seen[0] as { error: TimeoutError }).error.scope).toBe('attempt');
    expect(seen[1]).toEqual({ ok: true, value: 'second' });
    let ran = 0;
    const err = await client.execute(() => { ran++; return new Promise<string>(() => {}); }, { classify: (o) => (o.ok ? undefined : 'failure') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(ran).toBe(1);
  });

  for (const [label, classify] of [
    ['throws', (): never => { throw new Error('classify bug'); }],
    ["returns 'nonsense'", () => 'nonsense'],
  ] as const) {
    it(`a classify that ${label} fails fetch and execute with PluginError(plugin 'classify'); nothing more is sent`, async () => {
      const [s503, good] = await servers(status(503), ok());
      const client = track(createClient({ name: 'svc', discovery: [s503!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
      const fetchErr = await client.fetch('/x', { classify: classify as never }).catch((e: unknown) => e);
      let ran = 0;
      const execErr = await client.execute(async () => { ran++; throw new Error('retry me'); }, { classify: classify as never }).catch((e: unknown) => e);
      // The 503 and the thrown error would be retried by default: the broken classify stops that.
      expect([s503!.requests.length, good!.requests.length]).toEqual([1, 0]);
      expect(ran).toBe(1);
      expect(fetchErr).toBeInstanceOf(PluginError);
      expect(fetchErr).toMatchObject({ code: 'ERR_BULWARK_PLUGIN', plugin: 'classify', service: 'svc' });
      if (label === 'throws') expect(((fetchErr as PluginError).cause as Error).message).toBe('classify bug');
      expect(execErr).toBeInstanceOf(PluginError);
      expect(execErr).toMatchObject({ plugin: 'classify' });
    });
  }
});

describe('8b. a Request with a body is replayed on retries', () => {
  for (const method of ['PUT', 'POST']) {
    it(`a ${method} Request with a body refused by the first endpoint succeeds on the next, which receives the full body`, async () => {
      const bodies: string[] = [];
      const [good] = await servers(echo(bodies));
      const dead = await closedPort();
      const client = track(createClient({ name: 'svc', discovery: [dead, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
      const reasons: string[] = [];
      client.on('attempt', (e) => reasons.push(e.reason));
      const res = await client.fetch(new Request('http://ignored.invalid/items/1?v=2', { method, body: 'payload' }));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('got payload');
      expect(bodies).toEqual(['payload']);
      expect(good!.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`${method} /items/1?v=2`]);
      expect(reasons).toEqual(['connection refused', 'status 200']);
    });
  }

  it('a PUT Request whose first attempt got a 503 sends the full body again to the next endpoint', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const [busy, good] = await servers(echo(first, 503), echo(second));
    const client = track(createClient({ name: 'svc', discovery: [busy!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const res = await client.fetch(new Request('http://ignored.invalid/x', { method: 'PUT', body: 'payload' }));
    expect(res.status).toBe(200);
    expect([first, second]).toEqual([['payload'], ['payload']]);
  });

  it("init members set to undefined keep the Request's own method, headers and body, as fetch does", async () => {
    const bodies: string[] = [];
    const [busy, good] = await servers(echo(bodies, 503), echo(bodies));
    const client = track(createClient({ name: 'svc', discovery: [busy!.url, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const post = (body?: string): Request => new Request('http://ignored.invalid/x', { method: 'POST', headers: { authorization: 'Bearer t0k' }, ...(body === undefined ? {} : { body }) });
    // Still a POST: its 503 is not retried.
    const refused = await client.fetch(post(), { method: undefined, headers: undefined } as unknown as RequestInit);
    expect(refused.status).toBe(503);
    expect(busy!.requests.map((r) => `${r.method} ${r.headers.authorization}`)).toEqual(['POST Bearer t0k']);
    const res = await client.fetch(post('payload'), { method: undefined, headers: undefined, body: undefined } as unknown as RequestInit);
    expect(await res.text()).toBe('got payload');
    expect(good!.requests.map((r) => `${r.method} ${r.headers.authorization}`)).toEqual(['POST Bearer t0k']);
    expect(bodies).toEqual(['', 'payload']);
  });

  it('a raw ReadableStream body still gets one attempt (RequestFailedError, the next endpoint receives nothing)', async () => {
    const bodies: string[] = [];
    const [good] = await servers(echo(bodies));
    const dead = await closedPort();
    const client = track(createClient({ name: 'svc', discovery: [dead, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const body = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('payload')); c.close(); } });
    const err = await client.fetch('/x', { method: 'PUT', body, duplex: 'half' } as RequestInit).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestFailedError);
    expect((err as RequestFailedError).attempts).toHaveLength(1);
    expect(good!.requests).toHaveLength(0);
  });
});

describe('event order', () => {
  it('an attempt\'s event comes before the health change it causes', async () => {
    const dead = await closedPort();
    const [good] = await servers(ok());
    const client = track(createClient({ name: 'svc', discovery: [dead, good!.url], picker: roundRobin() }));
    const seen: string[] = [];
    client.on('attempt', (e) => seen.push(`attempt ${e.endpoint.url} ${e.reason}`));
    client.on('health', (e) => seen.push(`health ${e.endpoint.url} ${e.status}`));
    for (let i = 0; i < 12; i++) await (await client.fetch('/x')).text();
    const ejected = seen.indexOf(`health ${dead} ejected`);
    expect(ejected).toBeGreaterThan(0);
    // The fifth refused connection opened the breaker: its event is the one just before.
    expect(seen[ejected - 1]).toBe(`attempt ${dead} connection refused`);
    expect(seen.slice(0, ejected).filter((s) => s === `attempt ${dead} connection refused`)).toHaveLength(5);
  });
});
