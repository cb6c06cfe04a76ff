// What broke: a priority 0 with every endpoint out put the whole client in panic: most calls went to dead primaries.
// README "Endpoint health" / "Priority and zone failover" anchor priorities and panic on Envoy.
// Envoy (load balancing → panic threshold): when normalized total health is below 100 %, "it
// continues to distribute traffic load across priorities ... but if a given priority level's
// availability is below the panic threshold, traffic will go to all hosts in that priority
// level". A priority with no healthy host gets 0 % of the load; a priority that is itself above
// the threshold is not in panic.
// Defect: bulwark's panic is global. A dead primary (priority 0: 3 of 3 ejected) next to a mostly
// healthy standby (priority 1: 2 of 3 healthy) gives 2/6 < 50 % taking calls and normalized health
// 0 + min(1, 2/3 × 1.4) = 93 % < 100 %, so the whole client panics and spreads calls over all six
// endpoints: two thirds of the calls go to the four ejected, dead endpoints. Envoy sends every call
// to the two healthy standby endpoints.
// And (session-diff review): What broke: with every priority below the threshold, total panic sent half the calls to a dead priority 0.
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
import { afterEach, describe, expect, it } from 'vitest';
import { admittedCandidates } from '../../src/health/candidates.js';
import type { Client, Endpoint } from '../../src/index.js';
import { clientWithDead, level, ROUTING } from '../helpers/priority-pools.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('a dead priority 0 (Envoy per-priority panic)', () => {
  it('gets no calls while priority 1 is above the panic threshold', async () => {
    const dead = new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.3']);
    const { client, fn } = await clientWithDead(dead);
    clients.push(client);
    const ejected = client.stats().endpoints.filter((e) => e.health?.status === 'ejected').map((e) => new URL(e.url).hostname).sort();
    expect(ejected).toEqual([...dead].sort());
    // Within the ejection time: where do calls go?
    const hosts: string[] = [];
    for (let i = 0; i < 60; i++) hosts.push(await client.execute(fn).catch(() => 'failed'));
    const failed = hosts.filter((h) => h === 'failed').length;
    expect(failed, `${failed} of 60 calls went to ejected endpoints (stats().panic ${client.stats().panic})`).toBe(0);
  });

  it('gets no calls when the standby is itself below the threshold (unit: admittedCandidates)', () => {
    // P0: 0 of 3 taking calls; P1: 1 of 3 (33 % < 50 %). Normalized health 0 + 0.47 < 100 %.
    const pool = [...level(0, 3, 0), ...level(1, 3, 1)];
    const c = admittedCandidates(pool, { probes: 1, panicThreshold: 50, routing: ROUTING });
    expect(c.candidates.filter((e) => e.priority === 0).map((e) => e.host)).toEqual([]);
  });

  it('next to a standby with one of three up: no call reaches priority 0 (Envoy: P1 takes 100 %, in panic)', async () => {
    const { client, fn } = await clientWithDead(new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.2', '10.0.1.3']));
    clients.push(client);
    // Within the ejection time: which priority does each call reach?
    const reached: number[] = [];
    for (let i = 0; i < 60; i++) await client.execute(async (e: Endpoint) => { reached.push(e.priority); return fn(e); }).catch(() => {});
    const toPrimary = reached.filter((p) => p === 0).length;
    expect(toPrimary, `${toPrimary} of 60 calls went to the dead priority 0 (stats().panic ${client.stats().panic})`).toBe(0);
  });
});
