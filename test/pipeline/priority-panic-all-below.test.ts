// What broke: with every priority below the threshold, total panic sent half the calls to a dead priority 0.
// Per-priority panic (README "Endpoint health": "panic is per priority, as in Envoy: the
// priorities keep their shares of the calls (one with no endpoint taking calls gets none)").
// Envoy (load balancing → priority levels / panic threshold): with normalized total health below
// 100 %, load goes to priorities by their health; a priority with 0 % health gets 0 % of the
// load, and a priority whose own availability is below the threshold spreads its share over all
// of its hosts. Envoy's table: P0 0 %, P1 33 % healthy → all load to P1, in panic over P1's hosts.
// bulwark: when every priority is below the threshold (a dead primary counts as "below"), it
// falls back to one global panic over every endpoint of every priority, so calls go to the dead
// priority 0 again — the very case the CHANGELOG entry says is fixed ("spreading calls over the
// dead primaries").
import { ConsecutiveBreaker } from 'cockatiel';
import { afterEach, expect, it } from 'vitest';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { admittedCandidates } from '../../src/health/candidates.js';
import { EndpointHealth } from '../../src/health/endpoint-health.js';
import { createClient, roundRobin, type Client, type Endpoint, type EndpointInit } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const routing = { localZone: undefined, overprovisioning: 1.4 };
const level = (priority: number, n: number, up: number): LiveEndpoint[] =>
  Array.from({ length: n }, (_, i) => {
    const e = new LiveEndpoint(parseEndpoint({ host: `10.${priority}.0.${i + 1}`, port: 80, priority }), 10_000, 0);
    e.health = new EndpointHealth(new ConsecutiveBreaker(1), 0);
    if (i >= up) {
      e.health.status = 'ejected';
      e.health.until = 30_000;
    }
    return e;
  });

it('a dead priority 0 gets no calls when the standby is itself below the threshold (unit: admittedCandidates)', () => {
  // P0: 0 of 3 taking calls; P1: 1 of 3 (33 % < 50 %). Normalized health 0 + 0.47 < 100 %.
  const pool = [...level(0, 3, 0), ...level(1, 3, 1)];
  const c = admittedCandidates(pool, { probes: 1, panicThreshold: 50, routing });
  expect(c.candidates.filter((e) => e.priority === 0).map((e) => e.host)).toEqual([]);
});

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

it('a dead priority 0 next to a standby with one of three up: no call reaches priority 0 (Envoy: P1 takes 100 %, in panic)', async () => {
  const clock = new FakeClock();
  const primary: EndpointInit[] = [1, 2, 3].map((i) => ({ host: `10.0.0.${i}`, port: 80, priority: 0 }));
  const standby: EndpointInit[] = [1, 2, 3].map((i) => ({ host: `10.0.1.${i}`, port: 80, priority: 1 }));
  const dead = new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.2', '10.0.1.3']);
  const client = createClient({
    name: 'svc', clock, discovery: [...primary, ...standby], picker: roundRobin({ random: () => 0 }),
    retry: false, health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
  });
  clients.push(client);
  const fn = async (e: Endpoint): Promise<string> => {
    if (dead.has(e.host)) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    return e.host;
  };
  for (let i = 0; i < 200; i++) {
    await client.execute(fn).catch(() => {});
    if (client.stats().endpoints.filter((e) => e.health?.status === 'ejected').length === 5) break;
  }
  // Within the ejection time: which priority does each call reach?
  const reached: number[] = [];
  for (let i = 0; i < 60; i++) await client.execute(async (e: Endpoint) => { reached.push(e.priority); return fn(e); }).catch(() => {});
  const toPrimary = reached.filter((p) => p === 0).length;
  expect(toPrimary, `${toPrimary} of 60 calls went to the dead priority 0 (stats().panic ${client.stats().panic})`).toBe(0);
});
