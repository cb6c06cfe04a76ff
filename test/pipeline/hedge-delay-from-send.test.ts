import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client, type EndpointState, type Picker, type PickRequest } from '../../src/index.js';
import { FakeClock, untilAborted } from '../helpers/fake-clock.js';

// The hedge delay counts from when the attempt it hedges was sent (README, "Hedging"), as that
// attempt's timeout does (README, "Custom picker"). It was armed before the picker ran, so the
// time a user's slow pick took was counted against the attempt: the hedge went out before that
// attempt had run `delay` ms, or together with it. Fake clock, fake transport.

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

/** In turn over the untried endpoints; its first pick takes `slowFirst` ms (a stall on the fake clock). */
class SlowFirstPick implements Picker {
  readonly name = 'slowFirst';
  #list: readonly EndpointState[] = [];
  #picks = 0;
  constructor(readonly clock: FakeClock, readonly slowFirst: number) {}
  update(endpoints: readonly EndpointState[]): void {
    this.#list = endpoints;
  }
  pick(request: PickRequest): EndpointState | undefined {
    if (this.#picks++ === 0) this.clock.stall(this.slowFirst);
    return this.#list.find((e) => !request.tried.includes(e)) ?? this.#list[0];
  }
}

function setup(slowFirst: number): { clock: FakeClock; client: Client; sent: number[] } {
  const clock = new FakeClock();
  const client = createClient({
    name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], picker: new SlowFirstPick(clock, slowFirst), clock,
    hedge: { delay: 50, maxExtraLoad: 1 }, retry: { backoff: { base: 0, cap: 0 }, budget: false }, health: false,
    timeout: { attempt: 1_000, total: 5_000 },
  });
  clients.push(client);
  return { clock, client, sent: [] };
}

describe('hedge delay counts from when the hedged attempt is sent', () => {
  it('a pick that took 40 ms does not bring the hedge forward: it goes 50 ms after attempt 1 was sent', async () => {
    const { clock, client, sent } = setup(40);
    const call = client.execute((_e, c) => { sent.push(clock.t); return untilAborted(c.signal); });
    call.catch(() => {});
    await clock.advance(1);
    expect(sent).toEqual([40]); // attempt 1 went out once the pick was over
    await clock.advance(48); // t = 89: attempt 1 has run 49 ms
    expect(sent).toEqual([40]);
    await clock.advance(1); // t = 90: 50 ms
    expect(sent).toEqual([40, 90]);
  });

  it('a pick that took longer than the hedge delay does not send the hedge together with attempt 1', async () => {
    const { clock, client, sent } = setup(60);
    const call = client.execute((_e, c) => { sent.push(clock.t); return untilAborted(c.signal); });
    call.catch(() => {});
    await clock.advance(1);
    expect(sent).toEqual([60]); // not [60, 61]: the hedge waits for attempt 1 to run 50 ms
    await clock.advance(49); // t = 110
    expect(sent).toEqual([60, 110]);
  });
});
