// What broke (priority failover with every picker; README "Priority and zone failover": "Works
// with every picker … the picker chooses within the level as it would"): the level was drawn at
// random and the picker asked again until its pick landed in it. ringHash returns the same
// endpoint for a key however often it is asked, so after 64 draws the wrong-level pick stood
// (priority 0 got 33 % of keyed calls instead of 70 %); roundRobin and weightedRoundRobin moved
// their rotation on every rejected draw and split a level 3.4 : 1. Keyed ringHash calls now take
// their level from the key's hash and walk the ring within it; the round robins rotate per level.
import { afterEach, describe, expect, it } from 'vitest';
import { ringHash, roundRobin, weightedRoundRobin, type Client, type EndpointInit, type Picker } from '../../src/index.js';
import { mulberry32 } from '../helpers/prng.js';
import { tally, withOneEjected } from '../helpers/failover.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const discovery: EndpointInit[] = [
  { host: '10.0.0.1', port: 1, priority: 0 }, { host: '10.0.0.2', port: 1, priority: 0 },
  { host: '10.0.1.1', port: 1, priority: 1 }, { host: '10.0.1.2', port: 1, priority: 1 },
];

describe('ringHash with priority failover', () => {
  it('with half of priority 0 ejected, keyed calls keep 70 % on priority 0 (and each key stays on one endpoint)', async () => {
    const { client, call } = await withOneEjected(ringHash({ random: mulberry32(6) }), discovery, '10.0.0.2');
    clients.push(client);
    const n = 4000;
    const first: string[] = [];
    for (let i = 0; i < n; i++) first.push(await call(`user-${i}`));
    const p0 = first.filter((h) => h === '10.0.0.1').length / n;
    // Envoy chooses the priority from the key's hash, then the ring of that priority: 70 % stay.
    expect(p0).toBeGreaterThan(0.65);
    expect(p0).toBeLessThan(0.75);
    for (let i = 0; i < 200; i++) expect(await call(`user-${i}`)).toBe(first[i]);
  });
});

describe.each<[string, () => Picker]>([
  ['roundRobin', () => roundRobin({ random: mulberry32(1) })],
  ['weightedRoundRobin', () => weightedRoundRobin({ random: mulberry32(5) })],
])('%s with priority failover', (_name, make) => {
  it('spreads priority 1’s share evenly over priority 1’s two endpoints of equal weight', async () => {
    const { client, call } = await withOneEjected(make(), discovery, '10.0.0.2');
    clients.push(client);
    const hosts: string[] = [];
    for (let i = 0; i < 6000; i++) hosts.push(await call());
    const t = tally(hosts);
    const a = t.get('10.0.1.1') ?? 0;
    const b = t.get('10.0.1.2') ?? 0;
    // Priority 1 takes 30 % (≈ 1800 calls); round robin within it alternates its two endpoints.
    expect(a + b).toBeGreaterThan(1600);
    expect(a / b).toBeGreaterThan(0.8);
    expect(a / b).toBeLessThan(1.25);
  });
});
