// What broke (core-promises review, on real servers): an endpoint that refused two attempts in a
// row (killed) counted as ≥ 1 s slow, so the default peakEwma picker stopped picking it, before
// five failures could open its breaker: it was never ejected, so never probed. Once restarted it
// got no call until its estimate had decayed below its peers' (10 s × ln(1 000 / 5) ≈ 53 s
// against 5 ms peers; measured 49.7 s), longer than an ejection (30 s) would have kept it out.
// Now a fast failure's penalty holds for `health.ejectionTime` (30 s): then the estimate is what
// it was before, and the endpoint is tried again.
import { afterEach, expect, it } from 'vitest';
import { createClient, type Client, type Endpoint } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/**
 * Three endpoints answering in 5 ms (of the fake clock); the third refuses connections until
 * `restartAt`. One call every 100 ms for `ms`; returns when each attempt reached which endpoint.
 */
interface RunOptions {
  ejectionTime?: number;
  restartAt: number;
  ms: number;
  /** Two endpoints instead of three (the dead one is then 10.0.0.2). */
  two?: boolean;
  /** The first attempt to 10.0.0.1 at or after this time fails (fast), so its call retries on the other. */
  oneFailureAt?: number;
  /** Runs before each call. */
  before?: (now: number, client: Client) => void;
}

async function run(options: RunOptions): Promise<{ at: number; port: number; ok: boolean }[] & { ejected?: number }> {
  const clock = new FakeClock();
  const hosts = options.two === true ? ['10.0.0.1', '10.0.0.2'] : ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  const deadHost = hosts.at(-1)!;
  const client = createClient({
    name: 'svc', clock, discovery: hosts.map((h) => `${h}:80`),
    ...(options.ejectionTime === undefined ? {} : { health: { ejectionTime: options.ejectionTime } }),
  });
  clients.push(client);
  const seen: { at: number; port: number; ok: boolean }[] & { ejected?: number } = [];
  client.on('health', (e) => { if (e.status === 'ejected' && seen.ejected === undefined) seen.ejected = clock.now(); });
  let failOnce = options.oneFailureAt;
  const fn = async (e: Endpoint): Promise<string> => {
    let dead = e.host === deadHost && clock.now() < options.restartAt;
    if (failOnce !== undefined && e.host === '10.0.0.1' && clock.now() >= failOnce) {
      failOnce = undefined;
      dead = true;
    }
    seen.push({ at: clock.now(), port: Number(e.host.split('.')[3]), ok: !dead });
    if (dead) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    clock.stall(5);
    return 'ok';
  };
  while (clock.now() < options.ms) {
    options.before?.(clock.now(), client);
    // A retry waits its backoff on the fake clock: move it until the call settles.
    let settled = false;
    void client.execute(fn).then(() => { settled = true; });
    while (!settled) await clock.advance(10);
    await clock.advance(100);
  }
  return seen;
}

it('an endpoint shunned after two refusals is tried again 30 s after its last one, and gets calls from then on once it is back', async () => {
  const seen = await run({ restartAt: 5_000, ms: 45_000 });
  const third = seen.filter((s) => s.port === 3);
  const refused = third.filter((s) => !s.ok);
  expect(refused.length).toBe(2);
  const lastRefusal = refused.at(-1)!.at;
  const back = third.find((s) => s.ok);
  if (back === undefined) throw new Error('the restarted endpoint got no call');
  // Not before the hold ends (no call reached it in between) …
  expect(back.at).toBeGreaterThanOrEqual(lastRefusal + 30_000);
  // … and soon after (a call every 100 ms: the next ones that draw it).
  expect(back.at).toBeLessThan(lastRefusal + 32_000);
  // From then on it takes its share of the calls (a third, by power of two choices on equal estimates).
  const after = seen.filter((s) => s.at > back.at);
  expect(third.filter((s) => s.at > back.at).length).toBeGreaterThan(after.length / 6);
});

it('the hold is health.ejectionTime: with 5 s, a restarted endpoint is back within about 5 s of its last refusal', async () => {
  const seen = await run({ ejectionTime: 5_000, restartAt: 3_000, ms: 15_000 });
  const third = seen.filter((s) => s.port === 3);
  const lastRefusal = third.filter((s) => !s.ok).at(-1)!.at;
  const back = third.find((s) => s.ok);
  if (back === undefined) throw new Error('the restarted endpoint got no call');
  expect(back.at).toBeGreaterThanOrEqual(lastRefusal + 5_000);
  expect(back.at).toBeLessThan(lastRefusal + 7_000);
});

it('an endpoint still dead when the hold ends is refused once more and shunned for another hold; its breaker then ejects it', async () => {
  const seen = await run({ restartAt: Infinity, ms: 100_000 });
  const refusals = seen.filter((s) => s.port === 3).map((s) => s.at);
  // Two at the start, then one per hold of 30 s (a call every 100 ms draws it within a second or two).
  expect(refusals.length).toBe(5);
  for (let i = 2; i < refusals.length; i++) {
    const gap = refusals[i]! - refusals[i - 1]!;
    expect(gap).toBeGreaterThanOrEqual(30_000);
    expect(gap).toBeLessThan(32_000);
  }
  // Its fifth refusal in a row opens its breaker (the default five consecutive failures): ejected.
  expect(seen.ejected).toBeDefined();
  expect(seen.ejected).toBe(refusals[4]);
});

it('a restarted endpoint that answers a retry while its penalty holds still gets its calls back when the hold ends', async () => {
  // Two endpoints: the first's one failure at 10 s is retried on the second, restarted by then.
  const seen = await run({ two: true, restartAt: 5_000, oneFailureAt: 10_000, ms: 45_000 });
  const second = seen.filter((s) => s.port === 2);
  const lastRefusal = second.filter((s) => !s.ok).at(-1)!.at;
  const answered = second.filter((s) => s.ok).map((s) => s.at);
  // The retry at 10 s, then the calls of its own share from the end of the hold on.
  expect(answered[0]).toBeGreaterThanOrEqual(10_000);
  expect(answered[0]).toBeLessThan(lastRefusal + 30_000);
  expect(answered[1]).toBeGreaterThanOrEqual(lastRefusal + 30_000);
  expect(answered[1]).toBeLessThan(lastRefusal + 32_000);
});

it('reconfigure shortening health.ejectionTime shortens a hold in progress too, as it does ejections', async () => {
  let changed = false;
  const seen = await run({
    restartAt: 4_000, ms: 20_000,
    before: (now, client) => {
      if (!changed && now >= 3_000) {
        changed = true;
        client.reconfigure({ health: { ejectionTime: 2_000 } });
      }
    },
  });
  const third = seen.filter((s) => s.port === 3);
  // Its first hold (from ≈ 0.3 s) is 2 s long as of 3 s, so already over: tried again at once,
  // refused once more (it restarts at 4 s), held 2 s, and back after that.
  const lastRefusal = third.filter((s) => !s.ok).at(-1)!.at;
  expect(lastRefusal).toBeGreaterThanOrEqual(3_000);
  expect(lastRefusal).toBeLessThan(4_000);
  const back = third.find((s) => s.ok);
  if (back === undefined) throw new Error('the restarted endpoint got no call');
  expect(back.at).toBeGreaterThanOrEqual(lastRefusal + 2_000);
  expect(back.at).toBeLessThan(lastRefusal + 4_000);
});
