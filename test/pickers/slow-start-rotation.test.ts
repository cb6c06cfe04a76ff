// What broke (README, "Endpoint health", slow start: with `roundRobin` and `weightedRoundRobin`
// "a pick that lands on a ramping endpoint stands with that probability, and otherwise the
// picker picks again with that endpoint set aside (as on a retry), so it gets that fraction of
// the calls the picker would give it now"; found by the health review on real servers).
// The pick again took the next endpoint's turn in the rotation, so the ramping endpoint was due
// again on the very next call: next to one endpoint, at a 10 % share, it got ≈ 9 % of the calls
// (0.1 / (1 + 0.1)), not 0.1 × ½ = 5 %; next to three, ≈ 3.2 % instead of 2.5 %.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, weightedRoundRobin, type Client, type EndpointInit, type Picker } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** The share of 4 000 calls a newcomer gets while its ramp holds it at 10 %, next to `old` endpoints. */
async function newcomerShare(picker: Picker, old: number): Promise<number> {
  const clock = new FakeClock();
  const set: EndpointInit[] = Array.from({ length: old }, (_, i) => ({ host: `10.0.0.${i + 1}`, port: 1 }));
  let push: (s: EndpointInit[]) => void = () => {};
  const client = createClient({
    name: 'svc', picker, clock, retry: false,
    discovery: { watch: (update: (s: EndpointInit[]) => void) => { push = update; update(set); return () => {}; } },
    // A ramp of 600 s: the 4 000 calls (1 ms each on the fake clock) stay at its 10 % floor.
    health: { slowStart: { window: 600_000 } },
  });
  clients.push(client);
  const fn = (e: { host: string }): string => { clock.stall(1); return e.host; };
  for (let i = 0; i < 20; i++) await client.execute(fn);
  push([...set, { host: '10.0.9.9', port: 1 }]);
  const n = 4_000;
  let hits = 0;
  for (let i = 0; i < n; i++) if ((await client.execute(fn)) === '10.0.9.9') hits++;
  return hits / n;
}

describe('slow start with a rotation: a ramping endpoint gets its share × its turns', () => {
  for (const [name, make] of [['roundRobin', () => roundRobin()], ['weightedRoundRobin', () => weightedRoundRobin()]] as const) {
    it(`${name}, next to one endpoint: ≈ 0.1 × ½ = 5 %`, async () => {
      const share = await newcomerShare(make(), 1);
      expect(share).toBeGreaterThan(0.035);
      expect(share).toBeLessThan(0.065);
    });

    it(`${name}, next to three endpoints: ≈ 0.1 × ¼ = 2.5 %`, async () => {
      const share = await newcomerShare(make(), 3);
      expect(share).toBeGreaterThan(0.015);
      expect(share).toBeLessThan(0.029);
    });
  }
});
