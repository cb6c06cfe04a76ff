// What broke: with hedging, a 503 with Retry-After that arrived while the hedge ran was kept,
// and when the hedge then failed without a response the round passed the 503 up under the
// hedge's details: its Retry-After was lost, and the retry went at once to the endpoint that
// had asked for a pause (README, "What is retried": also with `health: false`).
import { describe, expect, it } from 'vitest';
import { createClient, roundRobin, type AttemptEvent, type RetryEvent } from '../../src/index.js';
import { closeAfterEach } from '../helpers/lifecycle.js';

const { track, servers } = closeAfterEach();

describe('hedging and Retry-After (health: false)', () => {
  it("a 503 with Retry-After kept while the hedge runs still keeps its endpoint free of calls for that long when the hedge then fails", async () => {
    const arrivals: { server: string; at: number }[] = [];
    const t0 = performance.now();
    let aCalls = 0;
    const [a, b] = await servers(
      // A: its first request answers 503 Retry-After: 1 after 100 ms (after the hedge went out); later ones 200.
      (req, res) => {
        req.resume();
        arrivals.push({ server: 'A', at: performance.now() - t0 });
        if (aCalls++ === 0) setTimeout(() => res.writeHead(503, { 'retry-after': '1' }).end('busy'), 100);
        else res.writeHead(200).end('A');
      },
      // B (the hedge's endpoint): the connection is cut 200 ms in, after A's 503.
      (req, res) => {
        req.resume();
        arrivals.push({ server: 'B', at: performance.now() - t0 });
        setTimeout(() => res.socket?.destroy(), 200);
      },
    );
    const client = track(createClient({
      name: 'svc', discovery: [a!.url, b!.url], picker: roundRobin({ random: () => 0 }), health: false,
      hedge: { delay: 50, maxExtraLoad: 1 }, retry: { attempts: 3, budget: false, backoff: { base: 0, cap: 0 } },
    }));
    const attempts: AttemptEvent[] = [];
    const retries: RetryEvent[] = [];
    client.on('attempt', (e) => attempts.push(e));
    client.on('retry', (e) => retries.push(e));
    const started = performance.now();
    const res = await client.fetch('/x');
    await res.text();
    const a503 = attempts.find((e) => e.status === 503);
    // The 503 came from A, the first attempt's endpoint.
    expect(a503?.endpoint.url, JSON.stringify(attempts.map((e) => [e.attempt, e.verdict, e.reason]))).toBe(a!.url);
    // Without hedging the retry after A's 503 waits out its Retry-After (README: with `health:
    // false`, in full when the call has tried every other endpoint, as here), so A gets no call
    // for 1 s. Before the fix, the hedge's failure ended the round and the retry went at once.
    const aAgain = arrivals.filter((x) => x.server === 'A')[1];
    const summary = JSON.stringify({ arrivals, retries: retries.map((r) => ({ ...r, endpoint: r.endpoint.id })), elapsed: performance.now() - started });
    if (aAgain !== undefined) expect(aAgain.at - arrivals[0]!.at, summary).toBeGreaterThanOrEqual(1_000);
    expect(retries[0]?.delay ?? 0, summary).toBeGreaterThanOrEqual(900);
  });
});
