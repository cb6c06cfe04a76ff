// What broke (roundRobin across updates; README "Pickers": "the next endpoint in turn … exactly
// even spread"): an update kept the cursor's index, so removing an endpoint before it skipped the
// one that was due, adding one before it picked the last one again, and an endpoint flapping in
// and out of the candidates (ejected, re-admitted) skewed the others' shares by 1.67×. The
// rotation now goes on at the endpoint that was due.
import { describe, expect, it } from 'vitest';
import type { EndpointState } from '../../src/index.js';
import { roundRobin } from '../../src/index.js';
import { mulberry32 } from '../helpers/prng.js';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';

/** `n` endpoints 10.x.y.z:80. */
const fleet = (n: number): LiveEndpoint[] =>
  Array.from({ length: n }, (_, i) => new LiveEndpoint(parseEndpoint({ host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 80 }), 10_000, 0));
const first = { key: undefined, tried: [] } as const;

/** Picks until the last pick is `list[index]`. */
function pickUntil(picker: ReturnType<typeof roundRobin>, list: readonly EndpointState[], index: number): void {
  for (let i = 0; i < 2 * list.length; i++) if (picker.pick(first) === list[index]) return;
  throw new Error('setup');
}

describe('roundRobin when the set changes', () => {
  it('removing an endpoint that was already passed does not skip the endpoint that was due', () => {
    const [a, b, c, d] = fleet(4);
    const picker = roundRobin({ random: mulberry32(3) });
    picker.update([a!, b!, c!, d!]);
    pickUntil(picker, [a!, b!, c!, d!], 1); // just picked B; C is due
    picker.update([b!, c!, d!]); // A leaves
    expect(picker.pick(first)).toBe(c);
  });

  it('adding an endpoint before the cursor does not send the next call to the endpoint just picked', () => {
    const [a, b, c, d] = fleet(4);
    const picker = roundRobin({ random: mulberry32(3) });
    picker.update([b!, c!, d!]);
    pickUntil(picker, [b!, c!, d!], 1); // just picked C; D is due
    picker.update([a!, b!, c!, d!]); // A joins at the front
    expect(picker.pick(first)).not.toBe(c);
  });

  it('an endpoint flapping at the head of the list does not skew the others’ shares', () => {
    const list = fleet(5);
    const picker = roundRobin({ random: mulberry32(4) });
    const counts = new Map<EndpointState, number>();
    picker.update(list);
    // The first endpoint leaves and comes back every 3 picks (ejected, then re-admitted).
    for (let i = 0; i < 3000; i++) {
      if (i % 3 === 0) picker.update(i % 6 === 0 ? list.slice(1) : list);
      const e = picker.pick(first)!;
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    const others = list.slice(1).map((e) => counts.get(e) ?? 0);
    expect(Math.max(...others) / Math.min(...others)).toBeLessThan(1.1);
  });
});
