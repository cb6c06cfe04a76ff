// What broke: an endpoint named twice in one set was merged silently, the later weight lost.
// A static list that names one endpoint twice, with different descriptions: a user giving one
// host a double share (`weight: 3` on a second entry, or the same URL listed twice as in an
// nginx upstream). The client kept the first entry and dropped the other silently: no ConfigError
// (README: an array of endpoints is "validated at creation"), no `endpointRejected` event
// (README, "Custom discovery": entries that are dropped are dropped "with an endpointRejected
// event"), and the weight the user gave was gone. (DNS SRV records naming one address add their
// weights up, docs/discovery.md; a static list does neither that nor say anything.)
// The rule stays "the first entry naming an endpoint wins" (README, "Endpoints"); every later
// one is reported with `endpointRejected`, for a static list and for any discovery update.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client, type Discovery, type EndpointInit } from '../../src/index.js';

const DUPLICATE = 'duplicate of an earlier entry (same id)';
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

function collect(c: Client): { entry: unknown; reason: string }[] {
  const rejected: { entry: unknown; reason: string }[] = [];
  c.on('endpointRejected', (e) => rejected.push({ entry: e.entry, reason: e.reason }));
  return rejected;
}

describe('a static list naming one endpoint twice with different weights', () => {
  it('keeps the first entry and reports the dropped one with endpointRejected', async () => {
    client = createClient({
      name: 'users',
      discovery: ['http://127.0.0.1:8080', 'http://127.0.0.1:8081', { host: '127.0.0.1', port: 8080, protocol: 'http', weight: 3 }],
    });
    const rejected = collect(client);
    await new Promise((r) => setTimeout(r, 10));
    // First wins: the first entry's weight (1) is kept, the second entry's 3 is reported as dropped.
    expect(client.stats().endpoints.map((e) => [e.id, e.weight])).toEqual([['http://127.0.0.1:8080', 1], ['http://127.0.0.1:8081', 1]]);
    expect(rejected).toEqual([{ entry: expect.stringContaining('"weight":3'), reason: DUPLICATE }]);
  });

  it('reports each dropped duplicate (the same URL three times: two events), secrets redacted', async () => {
    client = createClient({
      name: 'users',
      discovery: ['http://app:hunter2@127.0.0.1:8080', 'http://127.0.0.1:8081', 'http://app:hunter2@127.0.0.1:8080', 'http://app:hunter2@127.0.0.1:8080'],
    });
    const rejected = collect(client);
    await new Promise((r) => setTimeout(r, 10));
    expect(client.stats().endpoints).toHaveLength(2);
    expect(rejected.map((e) => e.reason)).toEqual([DUPLICATE, DUPLICATE]);
    for (const e of rejected) {
      expect(String(e.entry)).toContain('127.0.0.1:8080');
      expect(String(e.entry)).not.toContain('hunter2');
    }
  });
});

describe('a discovery update naming one endpoint twice', () => {
  it('reports the duplicate on every update that holds one, and none on an update without', async () => {
    let push: ((endpoints: readonly EndpointInit[]) => void) | undefined;
    const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
    client = createClient({ name: 'users', discovery });
    const rejected = collect(client);
    push!(['http://127.0.0.1:8080', { host: '127.0.0.1', port: 8080, protocol: 'http', weight: 3, metadata: { token: 's3cret' } }]);
    await new Promise((r) => setTimeout(r, 10));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBe(DUPLICATE);
    expect(String(rejected[0]!.entry)).not.toContain('s3cret');
    // The same update again (a poll): the duplicate is still dropped, and reported again.
    push!(['http://127.0.0.1:8080', { host: '127.0.0.1', port: 8080, protocol: 'http', weight: 3, metadata: { token: 's3cret' } }]);
    await new Promise((r) => setTimeout(r, 10));
    expect(rejected).toHaveLength(2);
    push!(['http://127.0.0.1:8080', 'http://127.0.0.1:8081']);
    await new Promise((r) => setTimeout(r, 10));
    expect(rejected).toHaveLength(2);
    expect(client.stats().endpoints.map((e) => [e.id, e.weight])).toEqual([['http://127.0.0.1:8080', 1], ['http://127.0.0.1:8081', 1]]);
  });
});
