// What broke: HeldEvents (src/observe/held-events.ts): a configChanged listener that reconfigures again
// gets its own document's events emitted before the outer document's held ones: the panic
// events arrive in the wrong order and the last one contradicts stats().panic.
import { afterEach, describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from 'cockatiel';
import { createClient, roundRobin, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

describe('reconfigure from a configChanged listener', () => {
  it('panic events keep their order: the last panic event agrees with stats().panic', async () => {
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
