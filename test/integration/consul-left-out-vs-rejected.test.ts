// consulDiscovery kept its last set when an answer had no usable instance and at least one invalid
// one, taking that for "every instance was rejected": with o-1 valid and o-2 invalid, o-1 turning
// critical (passingOnly: false) left o-1 in the client's set for good. The last set is now kept
// only when every instance was invalid (docs/discovery.md).
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { startConsulServer } from '../helpers/consul-server.js';

const { track, defer } = closeAfterEach();

describe('consulDiscovery: left out vs rejected', () => {
  it('drops an instance that turned critical even when another entry is rejected', async () => {
    const server = await startConsulServer();
    defer(() => server.close());
    server.register({ id: 'web-1', service: 'web', address: '10.0.0.1', port: 8080 });
    server.register({ id: 'web-2', service: 'web', address: '10.0.0.2', port: 0 }); // rejected: port 0
    const client = track(createClient({ name: 'web', discovery: consulDiscovery({ service: 'web', url: server.url, passingOnly: false, wait: 30_000, minInterval: 10, backoff: { min: 20, max: 100 } }) }));
    const rejected: unknown[] = [];
    client.on('endpointRejected', (e) => rejected.push(e));
    await until(() => client.endpoints().length === 1 && rejected.length === 1);
    const before = server.requests.length;
    server.setChecks('web-1', ['passing', 'critical']);
    await until(() => server.requests.length >= before + 1 && server.holding === 1); // the change was read
    expect(client.endpoints().map((e) => e.host)).toEqual([]);
  });
});
