// What broke (slow start with ringHash; README "Endpoint health": a joining endpoint gets
// max(minWeightPercent, (t/window)^(1/aggression)) of its usual share "with every picker"): the
// ring gives a key the same endpoint however often it is asked, so rejecting the pick moved
// nothing and a newcomer took all of its keys at once (24.9 % where ≈ 2.5 % was due). A ramping
// endpoint now keeps a key when a number from the key's hash is below its share; the other keys
// go on to the next endpoint on the ring.
import { describe, expect, it } from 'vitest';
import { createClient, ringHash, roundRobin, type EndpointInit, type Picker } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { mulberry32 } from '../helpers/prng.js';

async function newcomerShare(picker: Picker, keyed: boolean): Promise<number> {
  const clock = new FakeClock();
  const set: EndpointInit[] = [{ host: '10.0.0.1', port: 1 }, { host: '10.0.0.2', port: 1 }, { host: '10.0.0.3', port: 1 }];
  let push: (s: EndpointInit[]) => void = () => {};
  const client = createClient({
    name: 'svc', picker, clock, retry: false,
    discovery: { watch: (update: (s: EndpointInit[]) => void) => { push = update; update(set); return () => {}; } },
    health: { slowStart: { window: 60_000 } },
  });
  try {
    await client.execute((e) => e.host);
    push([...set, { host: '10.0.0.4', port: 1 }]);
    // At t = 0 of its ramp the newcomer gets minWeightPercent (10 %) of its usual quarter: ≈ 2.5 %.
    const n = 4000;
    let hits = 0;
    for (let i = 0; i < n; i++) if ((await client.execute((e) => e.host, keyed ? { key: `user-${i}` } : {})) === '10.0.0.4') hits++;
    return hits / n;
  } finally {
    await client.close();
  }
}

describe('slow start with ringHash', () => {
  it('control: with roundRobin, an endpoint just joined gets ≈ 10 % of its usual share', async () => {
    const share = await newcomerShare(roundRobin({ random: mulberry32(1) }), false);
    expect(share).toBeLessThan(0.06);
  });

  it('an endpoint just joined gets ≈ 10 % of its usual share of keyed calls, not all of its keys', async () => {
    const share = await newcomerShare(ringHash({ random: mulberry32(6) }), true);
    expect(share).toBeLessThan(0.06);
  });
});
