import { afterEach, describe, expect, it } from 'vitest';
import { createClient, peakEwma, ringHash, roundRobin, weightedRoundRobin, type Client, type Discovery, type EndpointInit } from '../../src/index.js';
import { counts, ok, startServers, status, type TestServer } from '../helpers/servers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function servers(n: number, delay = 0): Promise<TestServer[]> {
  const list = await startServers(Array.from({ length: n }, () => ok(delay)));
  cleanups.push(() => list.closeAll());
  return list;
}

function track(client: Client): Client {
  cleanups.push(() => client.close());
  return client;
}

/** A discovery whose set the test changes by hand. */
function manualDiscovery(initial: EndpointInit[]): Discovery & { set(list: EndpointInit[]): void } {
  let push: ((list: readonly EndpointInit[]) => void) | undefined;
  return {
    watch(update) { push = update; update(initial); return () => { push = undefined; }; },
    set(list) { push?.(list); },
  };
}

describe('requests spread as each picker promises, over real servers', () => {
  it('roundRobin: exactly even', async () => {
    const list = await servers(4);
    const client = track(createClient({ name: 'svc', discovery: list.map((s) => s.url), picker: roundRobin() }));
    for (let i = 0; i < 400; i++) await (await client.fetch(`/r/${i}`)).text();
    expect(counts(list)).toEqual([100, 100, 100, 100]);
  });

  it('weightedRoundRobin: within 1 % of the weights over whole cycles', async () => {
    const list = await servers(3);
    const weights = [1, 3, 6];
    const client = track(createClient({
      name: 'svc', picker: weightedRoundRobin(),
      discovery: list.map((s, i) => ({ host: '127.0.0.1', port: s.port, weight: weights[i]! })),
    }));
    const total = 1_000;
    for (let i = 0; i < total / 50; i++) {
      await Promise.all(Array.from({ length: 50 }, async () => (await client.fetch('/w')).text()));
    }
    const shares = counts(list).map((c) => c / total);
    weights.forEach((w, i) => expect(Math.abs(shares[i]! - w / 10)).toBeLessThanOrEqual(0.01));
  });

  it('ringHash: a key always lands on one endpoint; removing one remaps only its keys', async () => {
    const list = await servers(5);
    const discovery = manualDiscovery(list.map((s) => s.url));
    const client = track(createClient({ name: 'svc', discovery, picker: ringHash() }));
    const owner = async (key: string): Promise<string> => (await client.fetch('/k', { key })).text();
    const keys = Array.from({ length: 300 }, (_, i) => `user-${i}`);
    const before = new Map<string, string>();
    for (const key of keys) before.set(key, await owner(key));
    for (const key of keys.slice(0, 50)) expect(await owner(key)).toBe(before.get(key));
    const used = new Set(before.values());
    expect(used.size).toBe(5);

    const removed = String(list[2]!.port);
    discovery.set(list.filter((_, i) => i !== 2).map((s) => s.url));
    let moved = 0;
    for (const key of keys) {
      const now = await owner(key);
      if (before.get(key) === removed) { expect(now).not.toBe(removed); moved++; } else expect(now).toBe(before.get(key));
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('peakEwma: a slow endpoint gets a small share of traffic', async () => {
    const fast = await servers(3, 2);
    const slow = await servers(1, 150);
    const all = [...fast, ...slow];
    const client = track(createClient({ name: 'svc', discovery: all.map((s) => s.url), picker: peakEwma() }));
    const deadline = performance.now() + 3_000;
    let calls = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (performance.now() < deadline && calls < 3_000) {
        calls++;
        await (await client.fetch('/p')).text();
      }
    }));
    const slowShare = slow[0]!.requests.length / calls;
    expect(calls).toBeGreaterThan(200);
    expect(slowShare).toBeLessThan(0.05);
  });

  it('peakEwma: an endpoint that fails fast is not mistaken for a fast one', async () => {
    const fast = await servers(3, 3);
    const failing = await startServers([status(503)]);
    cleanups.push(() => failing.closeAll());
    const client = track(createClient({ name: 'svc', discovery: [...fast, ...failing].map((s) => s.url), picker: peakEwma() }));
    let calls = 0;
    let failed = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 150; i++) {
        calls++;
        const res = await client.fetch('/f');
        if (res.status !== 200) failed++;
        await res.text();
      }
    }));
    expect(failed).toBe(0);
    // Without the failure penalty its sub-millisecond 503s would win most comparisons.
    expect(failing[0]!.requests.length / calls).toBeLessThan(0.05);
  });
});
