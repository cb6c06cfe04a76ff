// What broke: an endpoint ejected by failed active checks counted against
// `health.maxEjectionPercent` (10 %, at least one endpoint), so with two of six backends down
// only the first was ejected: the second failed every check and kept getting its share of
// the calls, and with one ejected by the checks no breaker could eject a third. As in Envoy,
// whose `max_ejection_percent` limits outlier detection only, failed checks now eject whatever
// the limit, and only breaker and outlier ejections count towards it (panic still guards).
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type HealthEvent } from '../../src/index.js';
import type { Handler } from '../helpers/servers.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

/** 503 on /health while `down()`, 200 otherwise; real calls get `call`'s status. */
const backend = (down: () => boolean, call = 200): Handler => (req, res) => {
  req.resume();
  res.writeHead(req.url === '/health' ? (down() ? 503 : 200) : call).end();
};

describe('health.checks and the max-ejection guard', () => {
  it('two of six endpoints failing their checks are both ejected; a breaker can still eject another', async () => {
    const up = await servers(backend(() => true), backend(() => true), backend(() => false, 503), backend(() => false), backend(() => false), backend(() => false));
    const client = track(createClient({
      name: 'svc', discovery: up.map((s) => s.url), picker: roundRobin(), retry: false,
      health: { ejectionTime: 30_000, checks: { interval: 30, unhealthyThreshold: 2, healthyThreshold: 2 } },
    }));
    const ejected = new Set<string>();
    client.on('health', (e: HealthEvent) => { if (e.status === 'ejected') ejected.add(e.endpoint.url); });
    await until(() => ejected.has(up[0]!.url) && ejected.has(up[1]!.url), 3_000);
    // The third answers 503 to real calls: its breaker (5 failures in a row) opens, and the
    // guard (one endpoint of six) has room, since the checks' ejections do not count.
    for (let i = 0; i < 40 && !ejected.has(up[2]!.url); i++) await client.fetch('/x');
    expect([...ejected].sort()).toEqual([up[0]!.url, up[1]!.url, up[2]!.url].sort());
    const before = up.map((s) => s.requests.filter((r) => r.path !== '/health').length);
    for (let i = 0; i < 12; i++) expect((await client.fetch('/x')).status).toBe(200);
    const after = up.map((s, i) => s.requests.filter((r) => r.path !== '/health').length - before[i]!);
    expect(after.slice(0, 3)).toEqual([0, 0, 0]);
    expect(client.stats().panic).toBe(false);
  });
});
