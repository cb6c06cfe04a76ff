// What broke: after Eureka was down for a moment and came back, every call to my service (whose instances are all DOWN) still failed with "no endpoints available (discovery failed: see the cause)" and a cause saying Eureka was unreachable, so I went chasing a Eureka outage that was long over.
// The first good answer after a failed refresh is now pushed even when unchanged, which clears the client's last discovery error.
import { describe, expect, it } from 'vitest';
import { createClient, NoEndpointsError, type DiscoveryErrorEvent } from '../../src/index.js';
import { eurekaDiscovery, EurekaError } from '../../src/eureka/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

describe('eurekaDiscovery: recovery after a failed refresh', () => {
  it('a NoEndpointsError made after Eureka answered again does not blame the old outage', async () => {
    const server = await startEurekaServer();
    defer(() => server.close());
    // The service is registered, but its only instance is DOWN: a real, empty set.
    server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080, { status: 'DOWN' }));
    const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', interval: 20, backoff: { min: 20, max: 40 } }) }));
    const errors: unknown[] = [];
    client.on('discoveryError', (e: DiscoveryErrorEvent) => errors.push(e.error));
    await until(() => server.requests.length >= 2);

    // Before the outage: no endpoints, and no discovery failure to blame.
    const before = await client.fetch('/').catch((err: unknown) => err);
    expect(before).toBeInstanceOf(NoEndpointsError);
    expect((before as NoEndpointsError).cause).toBeUndefined();

    // Eureka goes away for a moment, then answers again, with the same registry.
    await server.stop();
    await until(() => errors.length >= 1);
    expect(errors[0]).toBeInstanceOf(EurekaError);
    await server.start();
    const answered = server.requests.length;
    await until(() => server.requests.length >= answered + 3);
    await sleep(50);
    const errorsNow = errors.length;
    await sleep(100);
    expect(errors.length).toBe(errorsNow); // Eureka answers every refresh again: no new failure

    // Eureka has answered several refreshes since: the calls' error must not say discovery failed.
    const after = await client.fetch('/').catch((err: unknown) => err);
    expect(after).toBeInstanceOf(NoEndpointsError);
    expect((after as Error).message).not.toMatch(/discovery failed/);
    expect((after as NoEndpointsError).cause).toBeUndefined();
  });
});
