// Regression tests for defects of the issue about discovery and endpoints (items 7 and 8c):
// a throwing stop function or a hostile update never throws out of close() or into the adapter,
// endpoints() follows discovery's order, and endpoints with other schemes work with execute.
import { describe, expect, it } from 'vitest';
import {
  BulwarkError, createClient, RequestFailedError, roundRobin,
  type AttemptEvent, type Discovery, type EndpointInit, type Endpoint,
} from '../../src/index.js';
import { ok } from '../helpers/servers.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

/** An adapter the test drives: `push` calls the client's `update` and returns what it returned. */
function manual(stop: () => void | Promise<void> = () => {}): Discovery & { push(list: unknown): unknown } {
  let update: ((l: readonly EndpointInit[]) => void) | undefined;
  return {
    watch(u) { update = u; return stop; },
    push(list) { return update!(list as EndpointInit[]); },
  };
}

describe('7. discovery failures never throw out of close() or into the adapter', () => {
  for (const [label, stop] of [
    ['throws', (): void => { throw new Error('stop failed'); }],
    ['rejects', async (): Promise<void> => { await sleep(5); throw new Error('stop failed'); }],
  ] as const) {
    it(`close() resolves when the discovery stop function ${label}, and a 'discoveryError' event reports the stop error`, async () => {
      const [server] = await servers(ok());
      const d = manual(stop);
      const client = createClient({ name: 'svc', discovery: d });
      d.push([server!.url]);
      const errors: unknown[] = [];
      client.on('discoveryError', (e) => errors.push(e.error));
      await expect(client.close()).resolves.toBeUndefined();
      // The same promise again: still resolved, and no second report.
      await expect(client.close()).resolves.toBeUndefined();
      expect(errors).toHaveLength(1);
      expect((errors[0] as Error).message).toBe('stop failed');
    });
  }

  it('`void client.close()` with a throwing stop function causes no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    try {
      const client = createClient({ name: 'svc', discovery: manual(() => { throw new Error('stop failed'); }) });
      void client.close();
      await sleep(50);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  const hostile: [string, (good: string) => unknown][] = [
    ['an array whose iterator throws', (good) => Object.assign([good], { [Symbol.iterator]: () => { throw new Error('bad iterator'); } })],
    ['a Proxy of an array whose traps throw', (good) => new Proxy([good], {
      get() { throw new Error('trap'); }, has() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); },
      getOwnPropertyDescriptor() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); },
    })],
  ];
  for (const [label, make] of hostile) {
    it(`an update given ${label} returns normally to the adapter; a 'discoveryError' follows; the last good set is kept`, async () => {
      const [first, other] = await servers(ok(), ok());
      const d = manual();
      const client = track(createClient({ name: 'svc', discovery: d }));
      d.push([first!.url]);
      const errors: unknown[] = [];
      client.on('discoveryError', (e) => errors.push(e.error));
      let returned: unknown = 'threw';
      expect(() => { returned = d.push(make(other!.url)); }).not.toThrow();
      expect(returned).toBeUndefined();
      await sleep(0);
      expect(errors).toHaveLength(1);
      expect(client.endpoints().map((e) => e.id)).toEqual([first!.url]);
      const res = await client.fetch('/x');
      expect(await res.text()).toBe(String(first!.port));
      expect(other!.requests).toHaveLength(0);
    });
  }

  it("endpoints() follows discovery's order after a reorder-only update", async () => {
    const d = manual();
    const client = track(createClient({ name: 'svc', discovery: d }));
    d.push(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
    const before = client.endpoints();
    d.push(['127.0.0.1:3', '127.0.0.1:1', '127.0.0.1:2']);
    expect(client.endpoints().map((e) => e.id)).toEqual(['http://127.0.0.1:3', 'http://127.0.0.1:1', 'http://127.0.0.1:2']);
    // The same endpoints (state kept), only reordered; stats() shows the same order.
    expect(new Set(client.endpoints())).toEqual(new Set(before));
    expect(client.stats().endpoints.map((e) => e.id)).toEqual(['http://127.0.0.1:3', 'http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });
});

describe('8c. endpoints with other schemes', () => {
  it("execute with tcp:// and redis:// endpoints shows protocol 'tcp:' and ids 'tcp://…' in fn, attempt events and stats()", async () => {
    const client = track(createClient({
      name: 'db', discovery: ['tcp://127.0.0.1:5432', 'redis://127.0.0.1:6379'], picker: roundRobin({ random: () => 0 }), retry: { budget: false },
    }));
    const given: Endpoint[] = [];
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    const value = await client.execute((endpoint, { attempt }) => {
      given.push(endpoint);
      if (attempt === 1) throw new Error('try the other');
      return `${endpoint.protocol}${endpoint.host}:${endpoint.port}`;
    });
    expect(given.map((e) => [e.protocol, e.id, e.host, e.port])).toEqual([
      ['tcp:', 'tcp://127.0.0.1:5432', '127.0.0.1', 5432],
      ['redis:', 'redis://127.0.0.1:6379', '127.0.0.1', 6379],
    ]);
    expect(value).toBe('redis:127.0.0.1:6379');
    expect(events.map((e) => e.endpoint.id)).toEqual(['tcp://127.0.0.1:5432', 'redis://127.0.0.1:6379']);
    expect(client.stats().endpoints.map((e) => [e.id, e.failures, e.successes])).toEqual([
      ['tcp://127.0.0.1:5432', 1, 0],
      ['redis://127.0.0.1:6379', 0, 1],
    ]);
    expect(client.endpoints().map((e) => e.protocol)).toEqual(['tcp:', 'redis:']);
  });

  it('a fetch through a non-http endpoint is retried on an http endpoint without sending anything to the first (also a POST)', async () => {
    const [behindTcp, good] = await servers(ok(), ok());
    const tcp = `tcp://127.0.0.1:${behindTcp!.port}`;
    const client = track(createClient({ name: 'svc', discovery: [tcp, good!.url], picker: roundRobin({ random: () => 0 }), retry: { budget: false } }));
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    for (const method of ['GET', 'POST']) {
      const res = await client.fetch('/x', method === 'POST' ? { method, body: 'x' } : { method });
      expect(await res.text()).toBe(String(good!.port));
    }
    // Round robin starts both calls at the tcp endpoint: each fails there and is retried on the http one.
    const atTcp = events.filter((e) => e.endpoint.id === tcp);
    expect(atTcp).toHaveLength(2);
    for (const e of atTcp) {
      expect(e.ok).toBe(false);
      expect((e.error as BulwarkError).code).toBe('ERR_BULWARK_UNSUPPORTED_ENDPOINT');
    }
    expect(behindTcp!.requests).toHaveLength(0);
    expect(good!.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  // Whichever endpoint was tried last, a fetch that got no response is a RequestFailedError.
  it('a fetch with only a non-http endpoint fails without sending: RequestFailedError with the ERR_BULWARK_UNSUPPORTED_ENDPOINT BulwarkError inside', async () => {
    const [behindTcp] = await servers(ok());
    const tcp = `tcp://127.0.0.1:${behindTcp!.port}`;
    const client = track(createClient({ name: 'svc', discovery: [tcp], retry: { budget: false } }));
    const err = await client.fetch('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestFailedError);
    expect((err as RequestFailedError).endpoint).toBe(tcp);
    const cause = (err as RequestFailedError).cause;
    expect(cause).toBeInstanceOf(BulwarkError);
    expect((cause as BulwarkError).code).toBe('ERR_BULWARK_UNSUPPORTED_ENDPOINT');
    expect(behindTcp!.requests).toHaveLength(0);
  });
});
