// Active health checks (real timers, no sockets): a check loop ends when its endpoint leaves the
// checked set even while a check is in flight, no loop arms a timer after a health listener
// closed the client, and the default HTTP check goes through the client's `fetch`.
import { describe, expect, it } from 'vitest';
import { createClient, type HealthEvent } from '../../src/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';

const { track } = closeAfterEach();

describe('active checks (regressions)', () => {
  it('bring an endpoint they ejected back as soon as it passes them, not after its ejection time', async () => {
    let up = false;
    const client = track(createClient({
      name: 'svc', discovery: ['http://127.0.0.1:40001', 'http://127.0.0.1:40002'],
      health: {
        maxEjectionPercent: 100, ejectionTime: 30_000,
        checks: { interval: 20, jitter: 0, unhealthyThreshold: 1, healthyThreshold: 2, check: async (e) => e.port !== 40_001 || up },
      },
    }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    await until(() => events.some((e) => e.status === 'ejected'), 2_000);
    up = true;
    await until(() => events.some((e) => e.status === 'healthy'), 2_000);
    expect(events.map((e) => `${e.endpoint.port} ${e.status} ${e.reason}`)).toEqual(['40001 ejected health check failed (check returned false)', '40001 healthy health check passed']);
  });

  it('stop for an endpoint that left the subset while its check was in flight', async () => {
    const checks = new Map<number, number>();
    let update!: (list: string[]) => void;
    const ports = (n: number): string[] => Array.from({ length: n }, (_, i) => `http://127.0.0.1:${40_001 + i}`);
    const client = track(createClient({
      name: 'svc', discovery: { watch: (u) => { update = u; u(ports(4)); return () => {}; } }, subset: { size: 2, clientId: 0 },
      health: {
        maxEjectionPercent: 100,
        checks: {
          interval: 20, jitter: 0, timeout: 1_000,
          check: async (e) => { checks.set(e.port, (checks.get(e.port) ?? 0) + 1); await sleep(100); return true; },
        },
      },
    }));
    // Both members of the first subset have a check in flight.
    await until(() => checks.size === 2, 2_000);
    const first = [...checks.keys()];
    update(ports(10)); // endpoints added: the subset is computed afresh
    const subset = new Set<number>();
    for (let i = 0; i < 20; i++) subset.add(await client.execute((e) => e.port));
    expect(subset.size).toBe(2);
    await sleep(150); // the checks in flight when the subset changed are over
    checks.clear();
    await sleep(300);
    const checked = [...checks.keys()];
    expect(checked.filter((p) => !subset.has(p))).toEqual([]);
    expect(checked.sort()).toEqual([...subset].sort());
    // The test means something only if the subset changed.
    expect(first.some((p) => !subset.has(p))).toBe(true);
  });

  it("the default HTTP check uses the client's fetch", async () => {
    const paths: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      paths.push(new URL(typeof input === 'string' || input instanceof URL ? input : input.url).pathname);
      return new Response('ok');
    }) as typeof globalThis.fetch;
    const client = track(createClient({
      name: 'svc', discovery: ['http://127.0.0.1:45991', 'http://127.0.0.1:45992'], fetch,
      health: { maxEjectionPercent: 100, panicThreshold: 0, checks: { interval: 20, timeout: 200, unhealthyThreshold: 1 } },
    }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    await until(() => paths.filter((p) => p === '/health').length >= 4, 3_000);
    expect(events).toEqual([]);
    expect(client.stats().endpoints.map((e) => e.health!.status)).toEqual(['healthy', 'healthy']);
  });

  it('leave no timer behind when a health listener closes the client as a check ejects an endpoint', async () => {
    // The check loop's timers, told apart by their delay (an interval no other timer here uses).
    const INTERVAL = 37;
    const armed: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    let closing: Promise<void> | undefined;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      if (closing !== undefined && ms === INTERVAL) armed.push(ms);
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout;
    try {
      const client = createClient({
        name: 'svc', discovery: ['http://127.0.0.1:40001', 'http://127.0.0.1:40002'],
        health: { maxEjectionPercent: 100, checks: { interval: INTERVAL, jitter: 0, unhealthyThreshold: 1, check: async (e) => e.port !== 40_001 } },
      });
      client.on('health', () => { closing ??= client.close(); });
      await until(() => closing !== undefined, 2_000);
      await closing;
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    // Before, the loop that reported the ejection armed its next check after close() had run
    // (and, for an endpoint the listener moved out of the checked set, its loop went on).
    expect(armed).toEqual([]);
  });
});
