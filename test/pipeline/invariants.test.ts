// Seeded random scenarios on a fake clock and a fake transport, checking what must hold whatever
// happens (README, "stats()" and "close()"): every call settles once; events, counters and
// per-endpoint figures add up with what the transport was asked to do; nothing is sent after
// close(), and no timer outlives it. The fuzzers that found the edges these guard ran far more
// scenarios; this keeps a bounded number of them in every test run.
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createClient, type AttemptContext, type ClientOptions } from '../../src/index.js';
import { FakeClock, settle, untilAborted } from '../helpers/fake-clock.js';
import { mulberry32 } from '../helpers/prng.js';

const ENDPOINTS = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'];
const SCENARIOS = 150;

type Random = () => number;
const int = (r: Random, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

function options(r: Random, clock: FakeClock): ClientOptions {
  const attempts = int(r, 1, 4);
  return {
    name: 'svc', discovery: ENDPOINTS, clock,
    timeout: { attempt: int(r, 20, 200), total: int(r, 100, 600) },
    retry: { attempts, backoff: { base: int(r, 0, 20), cap: 40 } },
    ...(attempts > 1 && r() < 0.4 ? { hedge: { delay: int(r, 5, 60), maxExtraLoad: 1 } } : {}),
    health: r() < 0.5 ? false : { breaker: () => new ConsecutiveBreaker(2), ejectionTime: int(r, 20, 200), maxEjectionPercent: 100 },
  };
}

/** One attempt's behaviour, drawn at random; `sent` records it. */
function attemptFn(r: Random, clock: FakeClock, sent: { port: number; afterClose: boolean }[], closed: () => boolean) {
  return (endpoint: { port: number }, { signal }: AttemptContext): unknown => {
    sent.push({ port: endpoint.port, afterClose: closed() });
    const d = int(r, 0, 150);
    switch (int(r, 0, 5)) {
      case 0: return 'sync value';
      case 1: throw new Error('sync throw');
      case 2: return new Promise((resolve) => clock.setTimer(() => resolve('late value'), d));
      case 3: return new Promise((_r, reject) => clock.setTimer(() => reject(new Error('late failure')), d));
      case 4: return untilAborted(signal);
      default: return new Promise(() => {}); // ignores its signal
    }
  };
}

async function scenario(seed: number): Promise<void> {
  const r = mulberry32(seed);
  const clock = new FakeClock();
  const client = createClient(options(r, clock));
  const events = { attempt: 0, retry: 0, hedge: 0 };
  const sent: { port: number; afterClose: boolean }[] = [];
  let closedAt: number | undefined;
  const closeNow = (): void => {
    closedAt ??= clock.t;
    void client.close();
  };
  // Some scenarios' listeners reach back into the client, as applications do: they close it on
  // an attempt's end, or take long over a hedge (a stall).
  const reentrant = r() < 0.4;
  client.on('attempt', () => {
    events.attempt++;
    if (reentrant && r() < 0.03) closeNow();
  });
  client.on('retry', () => events.retry++);
  client.on('hedge', () => {
    events.hedge++;
    if (reentrant && r() < 0.5) clock.stall(int(r, 0, 100));
  });
  const fn = attemptFn(r, clock, sent, () => closedAt !== undefined);
  const settled: number[] = [];
  let started = 0;
  const closeAt = r() < 0.5 ? int(r, 0, 800) : Infinity;
  for (let t = 0; t < 1_000; t += int(r, 0, 60)) {
    if (t >= closeAt) closeNow();
    const i = started++;
    settled[i] = 0;
    const controller = r() < 0.3 ? new AbortController() : undefined;
    if (controller !== undefined) clock.setTimer(() => controller.abort(new Error('caller gave up')), int(r, 0, 300));
    client.execute(fn, controller === undefined ? undefined : { signal: controller.signal }).then(() => { settled[i]!++; }, () => { settled[i]!++; });
    await clock.advance(int(r, 0, 40));
  }
  await clock.advance(5_000);
  await client.close();
  await settle();

  const s = client.stats();
  const where = `seed ${seed}`;
  expect(settled.every((n) => n === 1), where).toBe(true);
  expect(s.calls.succeeded + s.calls.failed, where).toBe(s.calls.started);
  expect(s.calls.inflight, where).toBe(0);
  expect(s.attempts, where).toBe(events.attempt);
  // A hedge whose event's listeners closed the client or took it past its deadline is counted,
  // and ends cancelled or timed out, without reaching the transport.
  if (reentrant) expect(sent.length, where).toBeLessThanOrEqual(s.attempts);
  else expect(sent.length, where).toBe(s.attempts);
  expect(s.retries, where).toBe(events.retry);
  expect(s.hedges.sent, where).toBe(events.hedge);
  expect(s.closed, where).toBe(true);
  expect(s.endpoints.reduce((n, e) => n + e.successes + e.failures + e.cancelled + e.inflight, 0), where).toBe(s.attempts);
  for (const e of s.endpoints) {
    const there = sent.filter((x) => `http://127.0.0.1:${x.port}` === e.id).length;
    if (reentrant) expect(there, `${where} ${e.id}`).toBeLessThanOrEqual(e.successes + e.failures + e.cancelled);
    else expect(e.successes + e.failures + e.cancelled, `${where} ${e.id}`).toBe(there);
    expect(e.inflight, `${where} ${e.id}`).toBe(0);
  }
  expect(sent.filter((x) => x.afterClose), where).toEqual([]);
  expect(clock.pending, where).toBe(0);
}

describe('whatever happens, the books add up', () => {
  it(`holds over ${SCENARIOS} seeded scenarios (retries, hedges, health, aborts, close)`, async () => {
    for (let seed = 1; seed <= SCENARIOS; seed++) await scenario(seed);
  });
});
