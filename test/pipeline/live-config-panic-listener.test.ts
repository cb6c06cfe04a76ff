// What broke: a `panic` listener that called `reconfigure` while another `reconfigure` was
// applying its document left the client inconsistent: the inner document in force, the outer
// one announced last, and panic candidates given to the picker while `stats().panic` was false.
// The health and panic events a document causes now come after its `configChanged`.
import { afterEach, describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from 'cockatiel';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** A client of two endpoints, 10.0.0.1 ejected (one failure opens its breaker): 1 of 2 taking calls is not below its 50 % panic threshold. */
async function oneOfTwoEjected(): Promise<Client> {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock, picker: roundRobin(), retry: false,
    health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, panicThreshold: 50 },
  });
  clients.push(client);
  await clock.advance(0);
  for (let i = 0; i < 2; i++) {
    await client.execute(async (e) => { if (e.host === '10.0.0.1') throw new Error('down'); return 'ok'; }).catch(() => {});
  }
  return client;
}

describe('reconfigure made by a listener of an event that reconfigure itself emits', () => {
  it('a panic listener that reconfigures leaves a consistent client: candidates, panic flag and the last configChanged agree', async () => {
    const client = await oneOfTwoEjected();
    expect(client.stats().endpoints.find((e) => e.url.includes('10.0.0.1'))!.health!.status).toBe('ejected');
    expect(client.stats().panic).toBe(false);

    const announced: unknown[] = [];
    client.on('configChanged', (e) => announced.push(e.document));
    // Incident automation: on panic, lengthen attempt timeouts (a document without health: createClient's numbers).
    client.on('panic', (e) => { if (e.active) client.reconfigure({ timeout: { attempt: 5_000 } }); });

    client.reconfigure({ health: { panicThreshold: 80 } });

    // Whatever document ended up in force, the client must agree with itself:
    const panic = client.stats().panic;
    const last = announced[announced.length - 1] as { health?: { panicThreshold?: number } };
    // the last document announced is the one in force (80 % → panic, createClient's 50 % → none) ...
    expect(last.health?.panicThreshold === 80).toBe(panic);
    // ... and out of panic no call goes to the ejected endpoint.
    const hosts: string[] = [];
    for (let i = 0; i < 4; i++) await client.execute(async (e) => { hosts.push(e.host); return 'ok'; });
    if (!panic) expect(hosts).not.toContain('10.0.0.1');
  });

  // What broke too: a configChanged listener that reconfigured again got its own document's
  // events before the outer document's held ones, and the last panic event contradicted stats().panic.
  it('panic events keep their order: the last panic event agrees with stats().panic', async () => {
    const client = await oneOfTwoEjected();
    expect(client.stats().panic).toBe(false);

    const log: string[] = [];
    client.on('panic', (e) => log.push(`panic:${e.active}`));
    client.on('configChanged', (e) => {
      const t = (e.document as { health?: { panicThreshold?: number } }).health?.panicThreshold;
      log.push(`configChanged:${t}`);
      // An operator's guard: a panic threshold above 60 % is rolled back at once.
      if (t !== undefined && t > 60) client.reconfigure({ health: { panicThreshold: 40 } });
    });

    client.reconfigure({ health: { panicThreshold: 80 } });

    expect(client.stats().panic).toBe(false);
    const panics = log.filter((l) => l.startsWith('panic:'));
    // Whatever was emitted, the last panic event must describe the client as it is.
    expect(panics[panics.length - 1]).toBe('panic:false');
    // And the events of the first document come before the second document's announcement.
    expect(log).toEqual(['configChanged:80', 'panic:true', 'configChanged:40', 'panic:false']);
  });
});
