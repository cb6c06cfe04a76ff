// What broke: `Attempt`'s end (src/call/attempt.ts) let a throwing `discard` escape: the attempt
// never reported to its stage, so the call hung with the attempt "in flight" and the throw went
// to an unhandled rejection; and any judge that threw was labelled a `classify` failure, though
// no classify was given. A transport's judge that throws something other than a PluginError now
// ends the attempt unjudged ('judge failed'), and a discard that throws is ignored.
// Transports run through the same seam bulwark/undici and bulwark/grpc use; fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTransport } from '../../src/client-seams.js';
import { createClient, PluginError, type AttemptEvent, type Client } from '../../src/index.js';
import type { Judgement, Transport } from '../../src/transports/transport.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => { unhandled.push(e); };
beforeEach(() => { unhandled.length = 0; process.on('unhandledRejection', onUnhandled); });
afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  while (clients.length > 0) await clients.pop()!.close();
});

function setup(): { client: Client; attempts: AttemptEvent[] } {
  const client = createClient({ name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock: new FakeClock(), retry: { backoff: { base: 0, cap: 0 }, budget: false } });
  clients.push(client);
  const attempts: AttemptEvent[] = [];
  client.on('attempt', (e) => attempts.push(e));
  return { client, attempts };
}

/** A transport answering `value`, judged by `judge`, whose `discard` throws. */
function transport(judge: () => Judgement): Transport<string> {
  return {
    idempotent: true,
    replayable: true,
    run: () => Promise.resolve('answer'),
    judge,
    discard: () => { throw new Error('discard bug'); },
  };
}

const settle = (p: Promise<unknown>): Promise<unknown> => p.then((v) => ({ resolved: v }), (e: unknown) => e);

describe('an attempt whose judge or discard throws', () => {
  it('a judge that throws a PluginError, with a discard that throws too: the call fails with the PluginError, nothing in flight', async () => {
    const { client, attempts } = setup();
    const fault = new PluginError('svc', 'fetch', 'resolved with undefined, not a Response (a forgotten return?)');
    const err = await settle(runTransport(client, undefined, () => transport(() => { throw fault; })));
    await new Promise((r) => setTimeout(r, 10));
    expect(err).toBe(fault);
    expect(attempts.map((e) => `${e.verdict}: ${e.reason}`)).toEqual(['cancelled: fetch option failed']);
    expect(client.stats().calls.inflight).toBe(0);
    expect(client.stats().endpoints.reduce((n, e) => n + e.inflight, 0)).toBe(0);
    expect(unhandled).toEqual([]);
  });

  it('a judge that throws anything else is no classify\'s fault: the attempt ends unjudged with that error, nothing against the endpoint', async () => {
    const { client, attempts } = setup();
    const bug = new TypeError("Cannot read properties of undefined (reading 'status')");
    const err = await settle(runTransport(client, undefined, () => transport(() => { throw bug; })));
    await new Promise((r) => setTimeout(r, 10));
    expect(err).toBe(bug);
    expect(err).not.toBeInstanceOf(PluginError);
    expect(attempts.map((e) => `${e.verdict}: ${e.reason}`)).toEqual(['cancelled: judge failed']);
    const stats = client.stats();
    expect(stats.calls.inflight).toBe(0);
    expect(stats.endpoints.reduce((n, e) => n + e.failures, 0)).toBe(0);
    expect(unhandled).toEqual([]);
  });
});
