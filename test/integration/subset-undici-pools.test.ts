// What broke: a bulwark/undici client with `subset` keeps an undici Pool for every endpoint that was ever in its subset while discovery still lists it, so `openPools` grows past the subset size as the fleet grows.
import { describe, expect, it } from 'vitest';
import type { EndpointInit } from '../../src/index.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { startServer } from '../helpers/servers.js';

describe('undici pools of endpoints that left this client\'s subset', () => {
  it('are closed, so open pools stay within the subset size while the fleet grows', async () => {
    const server = await startServer((_req, res) => res.end('ok'));
    let push: (list: readonly EndpointInit[]) => void = () => {};
    const client = createUndiciClient({ name: 'svc', discovery: { watch(update) { push = update; return () => {}; } }, subset: { size: 2, clientId: 0 } });
    try {
      const list: string[] = [];
      const everInSubset = new Set<string>();
      // Endpoints (one server, distinct base paths: distinct endpoints, a pool each), added one at a time, none removed; the client calls its current subset after each step.
      for (let i = 0; i < 60 && everInSubset.size < 6; i++) {
        list.push(`${server.url}/instance-${i}`);
        push([...list]);
        for (let c = 0; c < 4; c++) await (await client.request('/x')).body.text();
        const inSubset = client.stats().endpoints.filter((e) => e.health !== undefined);
        expect(inSubset.length).toBeLessThanOrEqual(2);
        for (const e of inSubset) everInSubset.add(e.id);
      }
      // A pool of an endpoint outside the subset takes no call of this client again.
      expect(everInSubset.size).toBeGreaterThan(2);
      expect(client.openPools).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
