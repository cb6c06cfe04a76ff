import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createClient, TimeoutError, type AttemptEvent } from '../../src/index.js';
import { FakeClock, outcome, untilAborted } from '../helpers/fake-clock.js';

// A hedge that a `health` listener held up past the call's deadline (an ejection was over, so
// the attempt stage refreshed health first) was never sent: the round waits for the attempt that
// was, which times out as usual (docs/architecture.md, "Deadlines"), as for a slow `hedge`
// listener (test/pipeline/unsent-past-deadline.test.ts). Before, that attempt was cancelled as
// `hedge lost`, as if a hedge had answered first. Fake clock, fake transport.

describe('a hedge held up past the deadline by a health listener', () => {
  it("does not end the attempt that was sent as 'hedge lost'", async () => {
    const clock = new FakeClock();
    const client = createClient({
      name: 'search', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], clock,
      hedge: { delay: 40, maxExtraLoad: 1 }, retry: { backoff: { base: 0, cap: 0 }, budget: false },
      health: { breaker: () => new ConsecutiveBreaker(1), maxEjectionPercent: 100, ejectionTime: 30 },
    });
    // A first call ejects one endpoint (its first attempt fails) for 30 ms.
    const first = outcome(client.execute((_e, { attempt }) => { if (attempt === 1) throw new Error('boom'); return 'ok'; }));
    await clock.advance(0);
    expect(first.value).toBe('ok');
    expect(client.stats().endpoints.filter((e) => e.health?.status === 'ejected')).toHaveLength(1);

    // At 40 ms the hedge is due; the ejection is over, so health is refreshed as it starts and
    // its listener takes the call past its 100 ms deadline.
    let stalls = 0;
    client.on('health', (e) => { if (e.status === 'probing' && stalls++ === 0) clock.stall(200); });
    const events: AttemptEvent[] = [];
    client.on('attempt', (e) => events.push(e));
    let sent = 0;
    const call = outcome(client.execute((_e, { signal }) => { sent++; return untilAborted(signal); }, { timeout: { total: 100 } }));
    await clock.advance(50);
    await clock.advance(300);
    expect(stalls).toBe(1);
    expect(sent).toBe(1);
    expect(call.error).toBeInstanceOf(TimeoutError);
    expect((call.error as TimeoutError).scope).toBe('total');
    expect(events).toHaveLength(1);
    // Nothing answered first: the attempt that was sent ran out with the call, as in the
    // slow-'hedge'-listener case.
    expect(events[0]!.reason).not.toBe('hedge lost');
    expect([events[0]!.verdict, events[0]!.reason]).toEqual(['retry', 'call timeout']);
    await client.close();
  });
});
