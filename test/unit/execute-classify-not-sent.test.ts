// `client.execute` with a per-call `classify` lost the fact that an attempt never reached a
// server: an ECONNREFUSED that the classify called 'retry' drew a retry-budget token, and with
// the budget spent the call ended (`budgetExhausted`) instead of going to the other endpoint, as
// the same call without `classify` does and as `client.fetch` with one does. A classify changes
// the verdict only; the retry of an unsent attempt stays free (README, "What is retried").
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, roundRobin, type Client, type Endpoint } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => { while (clients.length > 0) await clients.pop()!.close(); });

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:80'), { code: 'ECONNREFUSED', syscall: 'connect' });

function setup(): { clock: FakeClock; client: Client; exhausted: number[] } {
  const clock = new FakeClock();
  // A budget that allows no retry at all: only requeues of unsent attempts may go again.
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], picker: roundRobin({ random: () => 0 }), clock,
    retry: { budget: { ratio: 0, minPerSecond: 0 }, backoff: { base: 0, cap: 0 } },
  });
  clients.push(client);
  const exhausted: number[] = [];
  client.on('budgetExhausted', (e) => exhausted.push(e.attempt));
  return { clock, client, exhausted };
}

const fn = (endpoint: Endpoint): string => {
  if (endpoint.host === '10.0.0.1') throw refused();
  return `ok from ${endpoint.host}`;
};

describe('execute: a refused connection is a free requeue, with or without classify', () => {
  it('with a classify that answers (retry): still a free requeue', async () => {
    const { clock, client, exhausted } = setup();
    const call = client.execute(fn, { classify: (o) => (o.ok ? undefined : 'retry') });
    call.catch(() => {});
    await clock.advance(10);
    expect(exhausted).toEqual([]);
    await expect(call).resolves.toBe('ok from 10.0.0.2');
  });
});
