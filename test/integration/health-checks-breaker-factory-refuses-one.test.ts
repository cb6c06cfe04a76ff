import { describe, expect, it } from 'vitest';
import { ConsecutiveBreaker, createClient, type Discovery, type EndpointInit } from '../../src/index.js';
import { PLUGIN_RETRY_MS as BREAKER_RETRY_MS } from '../../src/health/plugin-retry.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { ok, type TestServer } from '../helpers/servers.js';

// What broke: with active health checks on, a `health.breaker` factory that threw for one
// endpoint of a discovery update left the update half-applied: the checks were never started,
// even for the endpoint of the same update whose breaker was made (it stayed unchecked for good).
// Now the update applies but for the refused endpoint, which takes calls once its breaker is made
// (the factory is asked again after BREAKER_RETRY_MS). Real servers on 127.0.0.1.

const { track, servers } = closeAfterEach();

describe('active checks when the health.breaker factory refuses one endpoint of an update', () => {
  it('checks the endpoints that got their health at once; the refused one takes calls once its breaker is made', async () => {
    const [a, b, x] = (await servers(ok(), ok(), ok())) as [TestServer, TestServer, TestServer];
    let made = 0;
    let push!: (list: EndpointInit[]) => void;
    const discovery: Discovery = { watch(update) { push = update; return () => {}; } };
    // Made: 1 at createClient; 2 for a; 3 for b; 4 for x throws; later ones work.
    const client = createClient({
      name: 'svc', discovery,
      health: { breaker: () => { made++; if (made === 4) throw new Error('boom'); return new ConsecutiveBreaker(5); }, checks: { interval: 20, timeout: 200 } },
    });
    track(client);
    const errors: unknown[] = [];
    client.on('discoveryError', (e) => errors.push(e.error));
    push([a.url]);
    push([a.url, b.url, x.url]);
    const checks = (s: TestServer): number => s.requests.filter((r) => r.path === '/health').length;
    await until(() => checks(b) > 0, 2_000);
    expect(errors).toHaveLength(1);
    const health = (url: string) => client.stats().endpoints.find((e) => e.url.startsWith(url))!.health?.status;
    expect(health(b.url)).toBe('healthy');
    expect(health(x.url)).toBeUndefined();
    // stats() (or the next call) asks the factory again once BREAKER_RETRY_MS has passed.
    await until(() => health(x.url) === 'healthy', BREAKER_RETRY_MS + 2_000);
    const ports = new Set<number>();
    for (let i = 0; i < 30; i++) ports.add(await client.execute((e) => e.port));
    expect(ports).toContain(new URL(x.url).port === '' ? 80 : Number(new URL(x.url).port));
  });
});
