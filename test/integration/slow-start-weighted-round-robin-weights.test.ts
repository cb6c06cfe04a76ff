// What broke (found by the routing review): slow start with weightedRoundRobin gave a ramping
// endpoint of weight 3 next to one of weight 1 about 10 % of the calls at the ramp's 10 % floor,
// not README's weight × fraction over the weights of all (0.3 ÷ 1.3 ≈ 23 %). Each turn it turned
// down went to the other endpoint and spent that one's turn too, and the attempt stage's own pick
// before the shares' spent one more. Now a ramping endpoint's turn passes unless kept with the
// fraction, the next endpoint taking its own turn (Envoy's EDF with the weight × the fraction),
// and the shares make the only pick.
import { afterEach, expect, it } from 'vitest';
import { createClient, weightedRoundRobin, type Client, type EndpointInit } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

async function newcomerShare(old: EndpointInit[], newcomer: { host: string; port: number; weight: number }): Promise<number> {
  const clock = new FakeClock();
  let push!: (s: EndpointInit[]) => void;
  const client = createClient({
    name: 'svc', picker: weightedRoundRobin(), clock, retry: false,
    discovery: { watch: (u: (s: EndpointInit[]) => void) => { push = u; u(old); return () => {}; } },
    // 600 s: the 6 000 calls below (1 ms each) stay at the ramp's 10 % floor.
    health: { slowStart: { window: 600_000 } },
  });
  clients.push(client);
  const fn = (e: { host: string }): string => { clock.stall(1); return e.host; };
  for (let i = 0; i < 20; i++) await client.execute(fn);
  push([...old, newcomer]);
  const n = 6_000;
  let hits = 0;
  for (let i = 0; i < n; i++) if ((await client.execute(fn)) === newcomer.host) hits++;
  return hits / n;
}

it('weight 3 newcomer next to weight 1: ≈ 0.3 ÷ 1.3 ≈ 23 % (README), not ≈ 10 %', async () => {
  const share = await newcomerShare([{ host: 'a', port: 1, weight: 1 }], { host: 'n', port: 1, weight: 3 });
  expect(share).toBeGreaterThan(0.19);
  expect(share).toBeLessThan(0.27);
});

it('control (holds): weight 1 newcomer next to weight 3: ≈ 0.1 ÷ 3.1 ≈ 3.2 %', async () => {
  const share = await newcomerShare([{ host: 'a', port: 1, weight: 3 }], { host: 'n', port: 1, weight: 1 });
  expect(share).toBeGreaterThan(0.022);
  expect(share).toBeLessThan(0.042);
});
