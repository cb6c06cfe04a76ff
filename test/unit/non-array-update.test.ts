// An update that is no array at all (null, a Set, an object) is no set: a failed refresh, as an
// unreadable one is. Before, it was only an endpointRejected event, and it cleared the error an
// adapter had reported: calls that had failed fast with NoEndpointsError then waited out their
// whole deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, DiscoveryError, NoEndpointsError, type Client, type Discovery, type EndpointInit } from '../../src/index.js';

const clients: Client[] = [];
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.close())); });

function manual(): Discovery & { push(list: unknown): void; fail(err: unknown): void } {
  let update!: (l: readonly EndpointInit[]) => void;
  let error!: (err: unknown) => void;
  return {
    watch(u, e) { update = u; error = e; return () => {}; },
    push(list) { update(list as EndpointInit[]); },
    fail(err) { error(err); },
  };
}

describe('a non-array update after a discovery error', () => {
  for (const [label, value] of [['null', null], ['a Set of endpoints', new Set(['127.0.0.1:1'])], ['an object', { endpoints: [] }]] as const) {
    it(`keeps calls failing fast with NoEndpointsError after update(${label})`, async () => {
      const d = manual();
      const client = createClient({ name: 'svc', discovery: d, timeout: { total: 1_500 } });
      clients.push(client);
      const registryDown = new Error('registry down');
      d.fail(registryDown);
      // Before the bad update: fails at once, as documented.
      await expect(client.execute(() => 'x')).rejects.toBeInstanceOf(NoEndpointsError);
      const events: string[] = [];
      client.on('endpointRejected', () => events.push('endpointRejected'));
      client.on('discoveryError', (e) => events.push(e.error instanceof DiscoveryError ? e.error.message : 'other'));
      d.push(value);
      await new Promise((r) => setImmediate(r));
      expect(events).toEqual([expect.stringMatching(/discovery update must be an array of endpoints, got .*; keeping the last good set/)]);
      const started = performance.now();
      const outcome = await client.execute(() => 'x').then(() => 'resolved', (err: unknown) => err);
      const took = performance.now() - started;
      expect(outcome).toBeInstanceOf(NoEndpointsError);
      expect((outcome as NoEndpointsError).cause).toBeInstanceOf(DiscoveryError);
      expect(took).toBeLessThan(500);
    });
  }
});
