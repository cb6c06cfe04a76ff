// What broke: after Consul was unreachable for a moment and answered again with the same catalog, calls to a service with no passing instance still failed with a NoEndpointsError blaming the long-over Consul outage.
// The first good answer after a failed refresh is now pushed even at the same index and with the same set, which clears the client's last discovery error (as Eureka's adapter does).
import { describe, expect, it } from 'vitest';
import { createClient, NoEndpointsError, type DiscoveryErrorEvent } from '../../src/index.js';
import { consulDiscovery, ConsulError } from '../../src/consul/index.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { startConsulServer } from '../helpers/consul-server.js';

const { track, defer } = closeAfterEach();

/**
 * A Consul whose service "web" has one instance, critical (a real, empty set), and a client
 * following it with blocking queries of `wait` ms; `errors` collects its discoveryError events.
 */
async function emptyService(wait: number) {
  const server = await startConsulServer();
  defer(() => server.close());
  server.register({ id: 'web-1', service: 'web', address: '10.0.0.1', port: 8080, checks: ['passing', 'critical'] });
  const client = track(createClient({ name: 'web', discovery: consulDiscovery({ service: 'web', url: server.url, wait, backoff: { min: 20, max: 40 }, minInterval: 10 }) }));
  const errors: unknown[] = [];
  client.on('discoveryError', (e: DiscoveryErrorEvent) => errors.push(e.error));
  await until(() => server.requests.length >= 2);
  return { server, client, errors };
}

describe('consulDiscovery: recovery after a failed refresh', () => {
  it('a NoEndpointsError made after Consul answered again does not blame the old outage', async () => {
    const { server, client, errors } = await emptyService(200);

    const before = await client.fetch('/').catch((err: unknown) => err);
    expect(before).toBeInstanceOf(NoEndpointsError);
    expect((before as NoEndpointsError).cause).toBeUndefined();

    // Consul goes away for a moment, then answers again, with the same catalog.
    await server.stop();
    await until(() => errors.length >= 1);
    expect(errors[0]).toBeInstanceOf(ConsulError);
    await server.start();
    const answered = server.requests.length;
    // Several blocking queries answered (each ends after `wait` = 200 ms) since Consul came back.
    await until(() => server.requests.length >= answered + 3, 5_000);
    await sleep(50);
    const errorsNow = errors.length;
    await sleep(300);
    expect(errors.length).toBe(errorsNow); // Consul answers again: no new failure

    const after = await client.fetch('/').catch((err: unknown) => err);
    expect(after).toBeInstanceOf(NoEndpointsError);
    expect((after as Error).message).not.toMatch(/discovery failed/);
    expect((after as NoEndpointsError).cause).toBeUndefined();
  });

  it('the first good answer after one whose every instance was invalid is pushed even when the set is the same as before', async () => {
    const { server, client, errors } = await emptyService(5_000);

    // A passing instance that cannot be used is the only one: an error, the last (empty) set stays.
    server.register({ id: 'bad', service: 'web', address: '127.0.0.1', port: 0 });
    await until(() => errors.length >= 1);
    expect(String(errors[0])).toMatch(/was invalid/);
    // It goes away: the service is as it was before, an empty set, and that is no failure.
    server.deregister('bad');
    const asked = server.requests.length;
    await until(() => server.requests.length > asked);
    await sleep(100);

    const after = await client.fetch('/').catch((err: unknown) => err);
    expect(after).toBeInstanceOf(NoEndpointsError);
    expect((after as NoEndpointsError).cause).toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  // What broke: the retry of a failed blocking query was itself a blocking query, so after Consul came back with nothing changed the error stood (and NoEndpointsError blamed the outage) for up to the whole `wait`, 60 s by default.
  it('a Consul back with nothing changed clears the error at once, not after a whole blocking wait', async () => {
    const { server, client, errors } = await emptyService(20_000);

    await server.stop();
    await until(() => errors.length >= 1);
    const during = await client.fetch('/').catch((err: unknown) => err);
    expect((during as NoEndpointsError).cause).toBeInstanceOf(ConsulError);
    await server.start();
    await sleep(1_000); // a few backoffs (≤ 40 ms each), far less than `wait`

    const after = await client.fetch('/').catch((err: unknown) => err);
    expect(after).toBeInstanceOf(NoEndpointsError);
    expect((after as NoEndpointsError).cause).toBeUndefined();
  });
});
