// A Consul or Eureka discovery whose error listener threw (a user's onError behind
// registerGrpcResolver, say) stopped refreshing for good, silently: p-retry gave up with the
// listener's error. The loop now goes on.
import { describe, expect, it } from 'vitest';
import type { EndpointInit } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fetch that fails its first call, then answers with `ok()`. */
function failingOnce(ok: () => Response): { fetch: (url: string, init: RequestInit) => Promise<Response>; calls: () => number } {
  let calls = 0;
  return {
    fetch: async () => {
      calls++;
      if (calls === 1) throw new Error('connect ECONNREFUSED');
      return ok();
    },
    calls: () => calls,
  };
}

async function updatesAfterOneThrowingError(watch: (update: (e: readonly EndpointInit[]) => void, error: (err: unknown) => void) => () => void | Promise<void>): Promise<number> {
  let updates = 0;
  let thrown = 0;
  const stop = watch(
    () => { updates++; },
    () => {
      thrown++;
      if (thrown === 1) throw new Error('a listener bug');
    },
  );
  const started = Date.now();
  while (updates === 0 && Date.now() - started < 1_500) await sleep(10);
  await stop();
  return updates;
}

describe('a throwing error listener', () => {
  it('consulDiscovery keeps retrying after its error listener threw, and delivers the set', async () => {
    const f = failingOnce(() => new Response(JSON.stringify([{ Node: { Node: 'n', Address: '10.0.0.1' }, Service: { ID: 'a', Address: '10.0.0.1', Port: 8080 }, Checks: [] }]), { status: 200, headers: { 'x-consul-index': '5' } }));
    const d = consulDiscovery({ service: 'web', fetch: f.fetch, backoff: { min: 20, max: 50 }, wait: 1_000 });
    const updates = await updatesAfterOneThrowingError((u, e) => d.watch(u, e, () => {}) as () => void | Promise<void>);
    expect(f.calls()).toBeGreaterThan(1);
    expect(updates).toBeGreaterThan(0);
  });

  it('eurekaDiscovery keeps retrying after its error listener threw, and delivers the set', async () => {
    const f = failingOnce(() => new Response(JSON.stringify({ application: { name: 'ORDERS', instance: [{ instanceId: 'o-1', ipAddr: '10.0.0.1', hostName: 'o1', status: 'UP', port: { $: 8080, '@enabled': 'true' } }] } }), { status: 200 }));
    const d = eurekaDiscovery({ url: 'http://127.0.0.1:1/eureka', app: 'orders', fetch: f.fetch, backoff: { min: 20, max: 50 } });
    const updates = await updatesAfterOneThrowingError((u, e) => d.watch(u, e, () => {}) as () => void | Promise<void>);
    expect(f.calls()).toBeGreaterThan(1);
    expect(updates).toBeGreaterThan(0);
  });
});
