// A Consul or Eureka error listener that threw on the errors the loops report themselves
// ("every one of the N instances was invalid", an ACL-filtered answer) still ended the refresh
// loop for good: only the errors of a failed request were shielded. Every report now is.
import { describe, expect, it } from 'vitest';
import type { EndpointInit } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function updatesWithThrowingListener(watch: (update: (e: readonly EndpointInit[]) => void, error: (err: unknown) => void) => () => void | Promise<void>): Promise<number> {
  let updates = 0;
  const stop = watch(() => { updates++; }, () => { throw new Error('a listener bug'); });
  const started = Date.now();
  while (updates === 0 && Date.now() - started < 1_500) await sleep(10);
  await stop();
  return updates;
}

const consulEntry = (port: number): unknown => ({ Node: { Node: 'n', Address: '10.0.0.1' }, Service: { ID: 'a', Address: '10.0.0.1', Port: port }, Checks: [] });
const eurekaApp = (port: number): unknown => ({ application: { name: 'ORDERS', instance: [{ instanceId: 'o-1', ipAddr: '10.0.0.1', hostName: 'o1', status: 'UP', port: { $: port, '@enabled': 'true' } }] } });

describe('a listener that always throws, on an error the loop reports itself', () => {
  it('consulDiscovery: an all-invalid answer, then a valid one, is delivered', async () => {
    let calls = 0;
    const fetch = async (): Promise<Response> => {
      calls++;
      const port = calls === 1 ? 0 : 8080; // the first answer's only instance is invalid
      return new Response(JSON.stringify([consulEntry(port)]), { status: 200, headers: { 'x-consul-index': String(4 + calls) } });
    };
    const d = consulDiscovery({ service: 'web', fetch, backoff: { min: 20, max: 50 }, wait: 1_000, minInterval: 5 });
    const updates = await updatesWithThrowingListener((u, e) => d.watch(u, e, () => {}) as () => void | Promise<void>);
    expect(updates).toBeGreaterThan(0);
  });

  it('eurekaDiscovery: an all-invalid answer, then a valid one, is delivered', async () => {
    let calls = 0;
    const fetch = async (): Promise<Response> => {
      calls++;
      return new Response(JSON.stringify(eurekaApp(calls === 1 ? 0 : 8080)), { status: 200 });
    };
    const d = eurekaDiscovery({ url: 'http://127.0.0.1:1/eureka', app: 'orders', fetch, backoff: { min: 20, max: 50 }, interval: 10 });
    const updates = await updatesWithThrowingListener((u, e) => d.watch(u, e, () => {}) as () => void | Promise<void>);
    expect(updates).toBeGreaterThan(0);
  });
});
