// Slow start's shares against README ("Endpoint health"): weight × fraction over the weights of
// all, with roundRobin and weightedRoundRobin, one or two endpoints ramping (found holding by the
// third diff review; kept as a guard for the changes to weightedRoundRobin's ramp).
import { afterEach, expect, it } from 'vitest';
import { createClient, weightedRoundRobin, roundRobin, type Client, type EndpointInit, type Picker } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

async function shares(picker: Picker, old: EndpointInit[], fresh: EndpointInit[], n: number): Promise<Map<string, number>> {
  const clock = new FakeClock();
  let push!: (s: EndpointInit[]) => void;
  const client = createClient({
    name: 'svc', picker, clock, retry: false,
    discovery: { watch: (u: (s: EndpointInit[]) => void) => { push = u; u(old); return () => {}; } },
    health: { slowStart: { window: 1e9 } }, // stays at the 10 % floor
  });
  clients.push(client);
  push([...old, ...fresh]);
  const counts = new Map<string, number>();
  const fn = (e: { host: string }): string => e.host;
  for (let i = 0; i < n; i++) { const h = await client.execute(fn); counts.set(h, (counts.get(h) ?? 0) + 1); }
  return counts;
}

it('equal weights, one newcomer next to one: ≈ 9 % (wrr and rr)', async () => {
  for (const p of [weightedRoundRobin(), roundRobin()]) {
    const c = await shares(p, [{ host: 'a', port: 1 }], [{ host: 'n', port: 1 }], 20_000);
    expect((c.get('n') ?? 0) / 20_000).toBeCloseTo(0.1 / 1.1, 1);
  }
});

it('equal weights, newcomer next to three: ≈ 3.2 %', async () => {
  const c = await shares(weightedRoundRobin(), [{ host: 'a', port: 1 }, { host: 'b', port: 1 }, { host: 'c', port: 1 }], [{ host: 'n', port: 1 }], 20_000);
  const s = (c.get('n') ?? 0) / 20_000;
  expect(s).toBeGreaterThan(0.025);
  expect(s).toBeLessThan(0.04);
});

it('two newcomers of weights 3 and 1 next to weight 1: 0.3/1.4 and 0.1/1.4', async () => {
  const c = await shares(weightedRoundRobin(), [{ host: 'a', port: 1, weight: 1 }], [{ host: 'h', port: 1, weight: 3 }, { host: 'l', port: 1, weight: 1 }], 20_000);
  expect((c.get('h') ?? 0) / 20_000).toBeCloseTo(0.3 / 1.4, 1);
  expect((c.get('l') ?? 0) / 20_000).toBeCloseTo(0.1 / 1.4, 1);
});
