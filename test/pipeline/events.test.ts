import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type AttemptEvent, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

// The client plugs its event observer into the pipeline only while someone listens: these
// check that listeners added, removed, or fired once, get exactly the events they should.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function client(): Client {
  const c = createClient({ name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock: new FakeClock(), retry: { backoff: { base: 0, cap: 0 }, budget: false } });
  clients.push(c);
  return c;
}

describe('call events and their listeners', () => {
  it('on, once, off and removeAllListeners: each listener hears exactly the attempts made while it listened', async () => {
    const c = client();
    await c.execute(() => 'unheard');
    const all: AttemptEvent[] = [];
    const listener = (e: AttemptEvent): void => { all.push(e); };
    c.on('attempt', listener);
    const first: AttemptEvent[] = [];
    c.once('attempt', (e) => first.push(e));
    let n = 0;
    await c.execute(() => { if (n++ === 0) throw new Error('once'); return 'ok'; });
    expect(all.map((e) => e.verdict)).toEqual(['retry', 'success']);
    expect(first.map((e) => e.verdict)).toEqual(['retry']);
    c.off('attempt', listener);
    await c.execute(() => 'unheard again');
    expect(all).toHaveLength(2);
    const retries: number[] = [];
    c.addListener('retry', (e) => retries.push(e.attempt));
    n = 0;
    await c.execute(() => { if (n++ === 0) throw new Error('once'); return 'ok'; });
    expect(retries).toEqual([2]);
    c.removeAllListeners();
    n = 0;
    await c.execute(() => { if (n++ === 0) throw new Error('once'); return 'ok'; });
    expect(retries).toEqual([2]);
    // The books are kept whether or not anyone listens.
    expect(c.stats()).toMatchObject({ calls: { started: 5, succeeded: 5 }, attempts: 8, retries: 3 });
  });

  it('a listener that throws does not change the call', async () => {
    const c = client();
    const uncaught: unknown[] = [];
    const onError = (err: unknown): void => { uncaught.push(err); };
    process.prependListener('uncaughtException', onError);
    try {
      c.on('attempt', () => { throw new Error('listener bug'); });
      await expect(c.execute(() => 7)).resolves.toBe(7);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(uncaught).toHaveLength(1);
  });
});
