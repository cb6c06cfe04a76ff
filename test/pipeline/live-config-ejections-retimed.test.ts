// What broke: new ejection times from `reconfigure` applied only to later ejections: an
// endpoint ejected for 30 s stayed out 30 s after the operator set maxEjectionTime to 2 s
// (README: health numbers apply at once to every endpoint).
import { afterEach, describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from 'cockatiel';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('health numbers apply at once to every endpoint (README, "Live configuration")', () => {
  it('lowering maxEjectionTime shortens an ejection in progress: no endpoint stays out longer than the maximum now in force', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], clock, picker: roundRobin(), retry: false,
      health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100 },
    });
    clients.push(client);
    await clock.advance(0);
    for (let i = 0; i < 3; i++) {
      await client.execute(async (e) => { if (e.host === '10.0.0.1') throw new Error('down'); return 'ok'; }).catch(() => {});
    }
    const first = () => client.stats().endpoints.find((e) => e.url.includes('10.0.0.1'))!.health!;
    expect(first().status).toBe('ejected');
    expect(first().nextProbeIn).toBe(30_000);
    // The operator: "no ejection longer than 2 s" (a false alarm took an endpoint out for 30 s).
    client.reconfigure({ health: { ejectionTime: 1_000, maxEjectionTime: 2_000 } });
    await clock.advance(2_500);
    expect(first().status).not.toBe('ejected');
  });
});
