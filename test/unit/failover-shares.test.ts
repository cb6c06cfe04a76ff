// Priority failover and slow start keep their shares whatever the picker: a pick that lands
// where its share says no is drawn again from the picker as it is (rejection sampling), so
// random, P2C and least-request pickers give the documented split as round robin does.
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, leastRequest, peakEwma, random, roundRobin, type Client, type EndpointInit, type Picker } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { mulberry32 } from '../helpers/prng.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const pickers: [string, () => Picker][] = [
  ['roundRobin', () => roundRobin({ random: mulberry32(1) })],
  ['random', () => random({ random: mulberry32(2) })],
  ['peakEwma', () => peakEwma({ random: mulberry32(3) })],
  ['leastRequest', () => leastRequest({ random: mulberry32(4) })],
];

describe('priority failover shares', () => {
  it.each(pickers.flatMap(([name, make]) => [2, 4].map((p1) => [name, p1, make] as const)))('%s: with half of priority 0 ejected, priority 0 keeps 70 % and priority 1 (%d endpoints) takes 30 %', async (_name, p1, make) => {
    const clock = new FakeClock();
    const discovery: EndpointInit[] = [
      { host: '10.0.0.1', port: 1, priority: 0 }, { host: '10.0.0.2', port: 1, priority: 0 },
      ...Array.from({ length: p1 }, (_, i) => ({ host: `10.0.1.${i}`, port: 1, priority: 1 })),
    ];
    const client = createClient({
      name: 'svc', discovery, picker: make(), clock, retry: false,
      health: { maxEjectionPercent: 50, ejectionTime: 1e9, breaker: () => new ConsecutiveBreaker(1) },
    });
    clients.push(client);
    // 10.0.0.2 fails once and is ejected: priority 0 is half healthy, 0.5 × 1.4 = 70 % of the calls.
    const fn = (e: { host: string }): string => {
      if (e.host === '10.0.0.2') throw new Error('down');
      return e.host;
    };
    while (client.stats().endpoints[1]!.health!.status !== 'ejected') await client.execute(fn).catch(() => {});
    let p0 = 0;
    const n = 6_000;
    for (let i = 0; i < n; i++) if ((await client.execute(fn)) === '10.0.0.1') p0++;
    expect(p0 / n).toBeGreaterThan(0.67);
    expect(p0 / n).toBeLessThan(0.73);
  });
});
