// What broke (bulwark/undici interceptor): a routed call's attempts go through the next
// dispatcher in the chain (the Agent). When the user destroyed that Agent, the attempts failed
// with undici's ClientDestroyedError and were judged as lost connections: retried against the
// destroyed dispatcher, rejected as RequestFailedError, and counted against the shared client's
// endpoints (one ejected for 30 s). A destroyed or closed dispatcher is a local condition that
// fails on every endpoint alike: no retry, no health hit, undici's error as it is.
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { bulwarkInterceptor } from '../../src/undici/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { hang } from '../helpers/servers.js';

const { track, servers } = closeAfterEach();

describe('interceptor: the Agent under it is destroyed with routed calls in flight', () => {
  it("rejects them with undici's ClientDestroyedError (as plain undici does), without retrying on the destroyed dispatcher", async () => {
    const [a, b] = await servers(hang(), hang());
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    const attempts: unknown[] = [];
    client.on('attempt', (e) => attempts.push(e));
    const pending = agent.request({ origin: 'http://svc.internal', path: '/', method: 'GET' }).catch((e: unknown) => e);
    await sleep(50);
    await agent.destroy();
    const error = await pending;
    expect((error as { code?: string }).code).toBe('UND_ERR_DESTROYED');
    expect(attempts).toHaveLength(1);
  });

  it("does not count against the client's endpoints: destroying one Agent ejects no endpoint for the client's other callers", async () => {
    const [a, b] = await servers(hang(), hang());
    const client = track(createClient({ name: 'svc', discovery: [a!.url, b!.url] }));
    const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://svc.internal': client } }));
    const pending = [0, 1, 2].map(() => agent.request({ origin: 'http://svc.internal', path: '/', method: 'GET' }).catch(() => undefined));
    await sleep(50);
    await agent.destroy();
    await Promise.all(pending);
    // Current code: 9 attempts judged as connection failures, one endpoint ejected for 30 s.
    expect(client.stats().endpoints.map((e) => e.health?.status)).toEqual(['healthy', 'healthy']);
  });
});
