// After an X-Consul-Index of 0 (a Consul bug its docs tell clients to survive by using 1), the
// next 0 counted as the index going backwards: the loop alternated between a blocking read and a
// plain one, doubling the requests. A 0 is now always read as 1.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { startConsulServer } from '../helpers/consul-server.js';

const { track, defer } = closeAfterEach();

describe('consulDiscovery and an X-Consul-Index of 0', () => {
  it('blocks on index 1 on every request after the first, never going back to a plain read', async () => {
    const server = await startConsulServer();
    defer(() => server.close());
    server.override({ body: '[]', index: '0' });
    track(createClient({ name: 'web', discovery: consulDiscovery({ service: 'web', url: server.url, wait: 30_000, minInterval: 20 }) }));
    await until(() => server.requests.length >= 6);
    await sleep(50);
    const asked = server.requests.map((r) => r.query.get('index'));
    expect(asked[0]).toBeNull();
    expect(asked.slice(1)).toEqual(asked.slice(1).map(() => '1'));
  });
});
