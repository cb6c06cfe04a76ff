// What broke: slow start barely held back a newcomer under peakEwma (half the calls, or all of them when faster).
// README "Endpoint health": with health.slowStart an endpoint that joins gets
// max(minWeightPercent, (t / window)^(1 / aggression)) of its usual share "with every picker",
// "so a cold instance ... is not handed a full share at once (with peakEwma, a new endpoint with
// no latency sample would otherwise look the fastest)". Slow start rejects a pick on a ramping
// endpoint with probability 1 − share and asks the picker again (health/slow-start.ts
// pickWithShares, 64 draws at most, the last kept). peakEwma with two candidates compares both,
// so asking again returns the same endpoint: the newcomer keeps whatever peakEwma gives it.
// Now (README "Endpoint health", slow start): peakEwma compares loads with a ramping endpoint's
// weight × its share; the other built-in pickers pick again with a refused endpoint set aside,
// so it gets its share × what the picker would give it (≈ 0.1 × ½ = 5 % next to one endpoint).
import { afterEach, describe, expect, it } from 'vitest';
import { leastRequest, peakEwma, random, type Client, type Picker } from '../../src/index.js';
import { settle } from '../helpers/fake-clock.js';
import { rampingClient } from '../helpers/ramping-client.js';
import { mulberry32 } from '../helpers/prng.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** The share of calls a newcomer gets in the first ~20 s of a 600 s ramp (share 10 %), next to `old` warmed-up endpoints. */
async function newcomerShare(picker: Picker, old: number, latency: (host: string) => number): Promise<number> {
  const { clock, set, push, client } = rampingClient(picker, old, clients);
  const fn = (e: { host: string }): string => { clock.stall(latency(e.host)); return e.host; };
  for (let i = 0; i < 50; i++) await client.execute(fn);
  push([...set, { host: '10.0.9.9', port: 1 }]);
  const n = 2_000;
  let hits = 0;
  for (let i = 0; i < n; i++) if ((await client.execute(fn)) === '10.0.9.9') hits++;
  return hits / n;
}

describe('slow start with peakEwma (the default picker)', () => {
  it('control: with random, a newcomer next to one endpoint gets ≈ 0.1 × ½ = 5 % (its share × what random gives it)', async () => {
    const share = await newcomerShare(random({ random: mulberry32(1) }), 1, () => 10);
    expect(share).toBeGreaterThan(0.025);
    expect(share).toBeLessThan(0.08);
  });

  it('with leastRequest (nothing in flight between calls), a newcomer next to one endpoint gets ≈ 5 % too', async () => {
    const share = await newcomerShare(leastRequest({ random: mulberry32(1) }), 1, () => 10);
    expect(share).toBeGreaterThan(0.025);
    expect(share).toBeLessThan(0.08);
  });

  it('a newcomer as fast as the one endpoint already there gets ≈ 9 % on its ramp, not half the calls', async () => {
    const share = await newcomerShare(peakEwma({ random: mulberry32(1) }), 1, () => 10);
    expect(share).toBeLessThan(0.15);
  });

  it('a newcomer slightly faster (5 ms vs 10 ms) is held back on its ramp, not sent every call', async () => {
    const share = await newcomerShare(peakEwma({ random: mulberry32(1) }), 1, (h) => (h === '10.0.9.9' ? 5 : 10));
    expect(share).toBeLessThan(0.15);
  });

  it('next to three endpoints of the same speed, a newcomer gets ≈ 0.1 / 3.1 ≈ 3 %, not ≈ 7 %', async () => {
    const share = await newcomerShare(peakEwma({ random: mulberry32(1) }), 3, () => 10);
    expect(share).toBeLessThan(0.05);
  });

  it('under load (8 calls in flight), a newcomer as fast as the one endpoint there is held back too', async () => {
    const share = await newcomerShareUnderLoad(peakEwma({ random: mulberry32(1) }), 1, 8);
    expect(share).toBeLessThan(0.15);
  });

  it('under load (16 calls in flight), next to three endpoints of the same speed, a newcomer gets less than 5 %', async () => {
    const share = await newcomerShareUnderLoad(peakEwma({ random: mulberry32(1) }), 3, 16);
    expect(share).toBeLessThan(0.05);
  });
});

/** As {@link newcomerShare}, with `concurrency` calls kept in flight, each taking 10 ms on the fake clock. */
async function newcomerShareUnderLoad(picker: Picker, old: number, concurrency: number): Promise<number> {
  const { clock, set, push, client } = rampingClient(picker, old, clients);
  const pending: { at: number; resolve: () => void }[] = [];
  let counting = false;
  let hits = 0;
  const fn = (e: { host: string }): Promise<string> => {
    if (counting && e.host === '10.0.9.9') hits++;
    return new Promise((resolve) => pending.push({ at: clock.t + 10, resolve: () => resolve(e.host) }));
  };
  const run = async (n: number): Promise<void> => {
    let started = 0;
    let done = 0;
    while (done < n) {
      while (pending.length < concurrency && started < n) {
        started++;
        void client.execute(fn).then(() => { done++; });
      }
      await settle();
      pending.sort((a, b) => a.at - b.at);
      const next = pending.shift();
      if (next === undefined) continue;
      if (next.at > clock.t) clock.t = next.at;
      next.resolve();
      await settle();
    }
  };
  await run(200);
  push([...set, { host: '10.0.9.9', port: 1 }]);
  counting = true;
  const n = 3_000;
  await run(n);
  return hits / n;
}
