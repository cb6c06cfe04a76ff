// What broke: a gRPC call whose request cannot be serialized never leaves my process, yet bulwark books it as a success of the endpoint it picked: an ejected, dead endpoint that is being probed is re-admitted by it ("probe succeeded"), and the next real calls go back to the dead server. fetch and undici treat a request they refuse the same way as "cancelled: invalid request", counting for nothing.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from '../../src/index.js';
import { fail, grpcAfterEach } from '../helpers/grpc-servers.js';
import { sleep } from '../helpers/lifecycle.js';

const { servers, echo } = grpcAfterEach();

describe('bulwark/grpc: a request message that cannot be serialized', () => {
  it('ends its attempt cancelled (invalid request), as fetch and undici do, not as a success of the endpoint', async () => {
    const [a] = await servers(1);
    const client = echo([a!], { retry: false });
    const attempts: { verdict: string; reason: string }[] = [];
    client.bulwark.on('attempt', (e) => attempts.push({ verdict: e.verdict, reason: e.reason }));
    const error = (await client.say(null as never).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.details).toMatch(/serialization failure/);
    expect(a!.calls).toBe(0); // nothing reached the server
    expect(attempts).toEqual([{ verdict: 'cancelled', reason: 'invalid request' }]);
    const [endpoint] = client.bulwark.stats().endpoints;
    expect(endpoint!.successes).toBe(0);
  });

  it('does not re-admit an ejected endpoint it is probing', async () => {
    const [a] = await servers(1);
    a!.say = fail(grpc.status.UNAVAILABLE, 'overloaded');
    const client = echo([a!], { retry: false, health: { breaker: () => new ConsecutiveBreaker(1), ejectionTime: 50, maxEjectionPercent: 100 } });
    const health: string[] = [];
    client.bulwark.on('health', (e) => health.push(`${e.status}: ${e.reason}`));
    await client.say({ text: 'x' }).catch(() => undefined); // UNAVAILABLE: ejected
    expect(client.bulwark.stats().endpoints[0]!.health?.status).toBe('ejected');
    await sleep(80); // the ejection is over: the next call probes it
    await client.say(null as never).catch(() => undefined); // a bug of the caller's, sent nowhere
    expect(a!.calls).toBe(1);
    expect(health.filter((h) => h.startsWith('healthy'))).toEqual([]);
    expect(client.bulwark.stats().endpoints[0]!.health?.status).not.toBe('healthy');
  });
});
