// What broke: priority failover's 70/30 split did not hold with peakEwma (the default), weighted leastRequest or random.
// README "Priority and zone failover": with half of priority 0 ejected, priority 0 keeps 70 % of
// the calls and priority 1 takes 30 %, "with every picker ... so the picker chooses within the
// level as it would"; docs/architecture.md: "exact whatever the picker proposes". The split is
// kept by rejection sampling over the picker's own choices (health/pick-shares.ts, slow-start.ts
// pickWithShares, at most 64 draws, the last one kept). peakEwma (the default) compares every
// candidate when two or fewer remain, so asking it again returns the same endpoint 64 times;
// weighted leastRequest proposes a light standby so rarely that 64 draws often miss it.
// The existing failover tests pass only because every endpoint there answers in 0 ms.
// Now every built-in picker has a copy per level (as the round robins had), which picks within
// the level drawn: the split is exact.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, leastRequest, peakEwma, random, type Client, type EndpointInit, type Picker } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { mulberry32 } from '../helpers/prng.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** Share of calls to the priority-1 endpoint once 10.0.0.2 (priority 0) is ejected; each endpoint takes `latency(host)` ms on the fake clock. */
async function standbyShare(picker: Picker, discovery: EndpointInit[], latency: (host: string) => number): Promise<number> {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery, picker, clock, retry: false,
    health: { maxEjectionPercent: 50, ejectionTime: 1e9, breaker: () => new ConsecutiveBreaker(1) },
  });
  clients.push(client);
  const fn = (e: { host: string }): string => {
    if (e.host === '10.0.0.2') throw new Error('down');
    clock.stall(latency(e.host));
    return e.host;
  };
  for (let i = 0; i < 500 && client.stats().endpoints[1]!.health!.status !== 'ejected'; i++) await client.execute(fn).catch(() => {});
  expect(client.stats().endpoints[1]!.health!.status).toBe('ejected');
  const n = 3_000;
  let standby = 0;
  for (let i = 0; i < n; i++) if ((await client.execute(fn)) === '10.0.1.1') standby++;
  return standby / n;
}

const plain: EndpointInit[] = [
  { host: '10.0.0.1', port: 1, priority: 0 }, { host: '10.0.0.2', port: 1, priority: 0 }, { host: '10.0.1.1', port: 1, priority: 1 },
];

describe('priority failover keeps 70/30 with load-aware pickers', () => {
  it('peakEwma, every endpoint answering in 10 ms: priority 1 takes ≈ 30 % (not 50 %)', async () => {
    const share = await standbyShare(peakEwma({ random: mulberry32(1) }), plain, () => 10);
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it('peakEwma, a standby site slower (40 ms) than priority 0 (10 ms): priority 1 still takes ≈ 30 % (not none)', async () => {
    const share = await standbyShare(peakEwma({ random: mulberry32(2) }), plain, (h) => (h === '10.0.1.1' ? 40 : 10));
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it('leastRequest, priority 0 weighing 100 and the standby 1: priority 1 takes ≈ 30 % (not ≈ 14 %)', async () => {
    const weighted: EndpointInit[] = [
      { host: '10.0.0.1', port: 1, priority: 0, weight: 100 }, { host: '10.0.0.2', port: 1, priority: 0, weight: 100 },
      { host: '10.0.1.1', port: 1, priority: 1, weight: 1 },
    ];
    const share = await standbyShare(leastRequest({ random: mulberry32(3) }), weighted, () => 0);
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it('random, with 8 endpoints at priority 1 (one of 9 candidates is priority 0): priority 1 takes ≈ 30 % and priority 0 ≈ 70 %', async () => {
    const wide: EndpointInit[] = [...plain.slice(0, 2), ...Array.from({ length: 8 }, (_, i) => ({ host: `10.0.1.${i + 1}`, port: 1, priority: 1 }))];
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: wide, picker: random({ random: mulberry32(4) }), clock, retry: false,
      health: { maxEjectionPercent: 50, ejectionTime: 1e9, breaker: () => new ConsecutiveBreaker(1) },
    });
    clients.push(client);
    const fn = (e: { host: string }): string => {
      if (e.host === '10.0.0.2') throw new Error('down');
      return e.host;
    };
    for (let i = 0; i < 500 && client.stats().endpoints[1]!.health!.status !== 'ejected'; i++) await client.execute(fn).catch(() => {});
    const n = 3_000;
    let p0 = 0;
    for (let i = 0; i < n; i++) if ((await client.execute(fn)) === '10.0.0.1') p0++;
    expect(p0 / n).toBeGreaterThan(0.65);
    expect(p0 / n).toBeLessThan(0.75);
  });
});
