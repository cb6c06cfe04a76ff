// What broke: a priority 0 with every endpoint out put the whole client in panic: most calls went to dead primaries.
// End to end on real node:http servers, with active checks: the primary site (priority 0, three
// endpoints) answers 503 to everything, checks included; the standby site (priority 1) has two of
// its three endpoints up. Envoy (load balancing → panic threshold, priority levels): priority 0,
// with no healthy host, gets 0 % of the load; priority 1 (2 of 3 healthy, above the 50 % panic
// threshold) takes every call and is not in panic, so every call succeeds. Defect: bulwark's
// panic is global (health/candidates.ts: 2 of 6 taking calls < 50 %, normalized health 93 %), so
// calls are spread over all six endpoints and about two in three hit a failing one.
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type HealthEvent } from '../../src/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('priority failover with a dead primary (real servers, active checks)', () => {
  it('every call goes to the healthy standby endpoints, none to the failing primary', async () => {
    const down = (_req: unknown, res: import('node:http').ServerResponse): void => { res.statusCode = 503; res.end('down'); };
    const up = (_req: unknown, res: import('node:http').ServerResponse): void => { res.end('ok'); };
    const [p1, p2, p3, s1, s2, s3] = await servers(down, down, down, up, up, down);
    const client = track(createClient({
      name: 'svc', picker: roundRobin({ random: () => 0 }), retry: false,
      discovery: [
        ...[p1!, p2!, p3!].map((s) => ({ host: '127.0.0.1', port: s.port, priority: 0 })),
        ...[s1!, s2!, s3!].map((s) => ({ host: '127.0.0.1', port: s.port, priority: 1 })),
      ],
      health: { checks: { interval: 30, jitter: 0, unhealthyThreshold: 1, timeout: 500 } },
    }));
    const events: HealthEvent[] = [];
    client.on('health', (e) => events.push(e));
    await until(() => events.filter((e) => e.status === 'ejected').length === 4, 5_000);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await client.fetch('/work')).status);
    const failed = statuses.filter((s) => s !== 200).length;
    expect(failed, `${failed} of 30 calls answered 503 (stats().panic ${client.stats().panic})`).toBe(0);
  });
});
