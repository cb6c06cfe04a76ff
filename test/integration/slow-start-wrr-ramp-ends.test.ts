// What broke (found by the diff review): the first fix of slow start with weightedRoundRobin put
// a ramping endpoint's next turn period ÷ share ahead, with the share of that moment: nothing
// moved the turn when the ramp went on or ended, so the endpoint kept waiting (at the default
// 10 % floor, 10 of its turns; with minWeightPercent 0, 1 000) after its window. A ramping
// endpoint's turn now passes unless kept with the share read at that turn.
import { afterEach, expect, it } from 'vitest';
import { createClient, weightedRoundRobin, type Client, type EndpointInit } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

/** Calls made after the newcomer's ramp is over, each `gap` ms apart, and how many reached it. */
async function afterRamp(slowStart: { window: number; minWeightPercent?: number }, gap: number, calls: number): Promise<number> {
  const clock = new FakeClock();
  let push!: (s: EndpointInit[]) => void;
  const old: EndpointInit[] = [{ host: 'a', port: 1, weight: 1 }];
  const client = createClient({
    name: 'svc', picker: weightedRoundRobin(), clock, retry: false,
    discovery: { watch: (u: (s: EndpointInit[]) => void) => { push = u; u(old); return () => {}; } },
    health: { slowStart },
  });
  clients.push(client);
  const fn = (e: { host: string }): string => e.host;
  for (let i = 0; i < 5; i++) await client.execute(fn);
  push([...old, { host: 'n', port: 1, weight: 1 }]);
  // Traffic through the ramp, `gap` ms apart.
  while (clock.t < slowStart.window) { await client.execute(fn); clock.stall(gap); }
  clock.stall(gap); // the window is over
  let hits = 0;
  for (let i = 0; i < calls; i++) { if ((await client.execute(fn)) === 'n') hits++; clock.stall(gap); }
  return hits;
}

it('default 10 % floor: past the window, two equal endpoints share the calls (newcomer gets none of the next 8)', async () => {
  // window 1 s, one call a second: the newcomer is picked at its ramp's start (share 0.1) and its next turn is 10 turns later.
  const hits = await afterRamp({ window: 1_000 }, 1_000, 8);
  expect(hits).toBeGreaterThanOrEqual(3); // ≈ 4 of 8; now 0
});

it('minWeightPercent 0: past the window the newcomer waits ~1 000 turns (none of the next 400 calls)', async () => {
  const hits = await afterRamp({ window: 100, minWeightPercent: 0 }, 10, 400);
  expect(hits).toBeGreaterThan(150); // ≈ 200 of 400; now 0
});
