// What broke (live health numbers from a listener): a `health` or `panic` listener that calls
// `reconfigure` runs inside the health tracker's own bookkeeping, and what the tracker did after
// the listener returned undid the document: a panic listener lowering panicThreshold left calls
// going to an ejected endpoint (the outer pass handed the picker candidates computed under
// panic), and a health listener shortening ejections as one ended lost the others' new end (the
// walk's old figure overwrote it). The panic event now comes once the picker has its candidates,
// and the next change is taken from the endpoints after the listeners ran.
import { afterEach, describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from 'cockatiel';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

const fail = (down: Set<string>) => async (e: { host: string }): Promise<string> => {
  if (down.has(e.host)) throw new Error('down');
  return 'ok';
};

describe('reconfigure from a listener of a health or panic event that a call caused', () => {
  it('a panic listener that lowers panicThreshold: out of panic, no call goes to the ejected endpoint', async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock, picker: roundRobin(), retry: false,
      health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, panicThreshold: 60 },
    });
    clients.push(client);
    await clock.advance(0);
    // Incident automation: panic is a false alarm here, so the threshold goes down at once.
    const panics: boolean[] = [];
    client.on('panic', (e) => {
      panics.push(e.active);
      if (e.active) client.reconfigure({ health: { panicThreshold: 0 } });
    });
    const down = new Set(['10.0.0.1']);
    for (let i = 0; i < 2; i++) await client.execute(fail(down)).catch(() => {});
    const first = client.stats().endpoints.find((e) => e.url.includes('10.0.0.1'))!;
    expect(first.health!.status).toBe('ejected');
    expect(panics).toEqual([true, false]);
    expect(client.stats().panic).toBe(false);
    // Not in panic, 10.0.0.1 ejected: calls go to 10.0.0.2 only.
    const hosts: string[] = [];
    for (let i = 0; i < 4; i++) await client.execute(async (e) => { hosts.push(e.host); return 'ok'; });
    expect(hosts).not.toContain('10.0.0.1');
  });

  it("a health listener that shortens ejections as one ejection ends: another endpoint's shortened ejection ends too", async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], clock, picker: roundRobin(), retry: false,
      health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, panicThreshold: 0, ejectionTime: 1_000, maxEjectionTime: 100_000 },
    });
    clients.push(client);
    await clock.advance(0);
    const health = (host: string) => client.stats().endpoints.find((e) => e.url.includes(host))!.health!;
    const down = new Set(['10.0.0.1']);
    // 10.0.0.1 ejected at t=0 (1 s), probed at t=1000 and ejected again (2 s: until t=3000).
    for (let i = 0; i < 3 && health('10.0.0.1').status !== 'ejected'; i++) await client.execute(fail(down)).catch(() => {});
    expect(health('10.0.0.1').status).toBe('ejected');
    await clock.advance(1_000);
    for (let i = 0; i < 3 && health('10.0.0.1').status !== 'ejected'; i++) await client.execute(fail(down)).catch(() => {});
    expect(health('10.0.0.1')).toMatchObject({ status: 'ejected', ejections: 2, nextProbeIn: 2_000 });
    // 10.0.0.2 ejected at t=1500, until t=2500.
    await clock.advance(500);
    down.add('10.0.0.2');
    for (let i = 0; i < 3 && health('10.0.0.2').status !== 'ejected'; i++) await client.execute(fail(down)).catch(() => {});
    expect(health('10.0.0.2')).toMatchObject({ status: 'ejected', nextProbeIn: 1_000 });
    // The operator's automation: when an endpoint comes up for probing, ejections get short.
    client.on('health', (e) => {
      if (e.status === 'probing') client.reconfigure({ health: { ejectionTime: 200, maxEjectionTime: 100_000 } });
    });
    await clock.advance(1_000); // t=2500: 10.0.0.2's ejection is over
    expect(health('10.0.0.2').status).toBe('probing');
    // Under the new numbers 10.0.0.1's second ejection lasts 2 × 200 ms from t=1000: over at t=1400.
    expect(health('10.0.0.1').status).toBe('probing');
  });
});
