// What broke: with health: false a standby priority got an equal share of calls.
// README "Priority and zone failover": "Endpoints carry a `priority` (0 is the most preferred)";
// with every endpoint healthy, calls stay on priority 0 (Envoy: a fully healthy priority 0 takes
// 100 %; RFC 2782, which dnsDiscovery's SRV priorities come from: a client MUST try the lowest
// priority it can reach first). With `health: false` ("keep every endpoint in rotation whatever
// its outcomes": every endpoint counts as healthy) priorities are silently dropped and a standby
// priority takes an equal share of every call. `localZone` with `health: false` is refused as a
// combination that cannot work (README "Options"); priorities were neither honoured nor refused.
// Now the picker is given only the endpoints of the most preferred priority present.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, leastRequest, peakEwma, roundRobin, random, type Client, type EndpointInit, type Picker } from '../../src/index.js';
import { mulberry32 } from '../helpers/prng.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const discovery: EndpointInit[] = [
  { host: '10.0.0.1', port: 1, priority: 0 }, { host: '10.0.0.2', port: 1, priority: 0 },
  { host: '10.0.9.1', port: 1, priority: 1 },
];

async function standbyCalls(picker: Picker, set: EndpointInit[] = discovery): Promise<Map<string, number>> {
  const client = createClient({ name: 'svc', discovery: set, picker, health: false });
  clients.push(client);
  const counts = new Map<string, number>();
  for (let i = 0; i < 300; i++) {
    const host = await client.execute((e) => e.host);
    counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  return counts;
}

describe('priorities with health: false', () => {
  it.each([
    ['roundRobin', () => roundRobin({ random: mulberry32(1) })],
    ['random', () => random({ random: mulberry32(2) })],
    ['peakEwma', () => peakEwma({ random: mulberry32(3) })],
    ['leastRequest', () => leastRequest({ random: mulberry32(4) })],
  ] as const)('%s: a standby priority 1 gets no call while priority 0 is all in rotation; priority 0 shares them', async (_name, make) => {
    const counts = await standbyCalls(make());
    expect(counts.get('10.0.9.1') ?? 0).toBe(0);
    expect(counts.get('10.0.0.1')).toBeGreaterThan(0);
    expect(counts.get('10.0.0.2')).toBeGreaterThan(0);
  });

  it('the most preferred priority present takes the calls, whatever its number (1 before 2)', async () => {
    const counts = await standbyCalls(roundRobin({ random: mulberry32(5) }), [
      { host: '10.0.2.1', port: 1, priority: 2 }, { host: '10.0.1.1', port: 1, priority: 1 }, { host: '10.0.1.2', port: 1, priority: 1 },
    ]);
    expect([...counts.keys()].sort()).toEqual(['10.0.1.1', '10.0.1.2']);
  });

  it('when discovery drops priority 0, priority 1 takes the calls; when it comes back, priority 0 does again', async () => {
    let push: (s: EndpointInit[]) => void = () => {};
    const client = createClient({
      name: 'svc', picker: roundRobin({ random: mulberry32(6) }), health: false,
      discovery: { watch: (update: (s: EndpointInit[]) => void) => { push = update; update(discovery); return () => {}; } },
    });
    clients.push(client);
    const hosts = async (): Promise<Set<string>> => {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) seen.add(await client.execute((e) => e.host));
      return seen;
    };
    expect(await hosts()).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    push([discovery[2]!]);
    expect(await hosts()).toEqual(new Set(['10.0.9.1']));
    push(discovery);
    expect(await hosts()).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
  });
});
