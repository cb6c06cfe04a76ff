// What broke: leastRequest drew uniformly, ignoring weights, on retries.
// README "Pickers", leastRequest: "with unequal weights they are drawn in proportion to weight and
// the lowest in-flight / weight wins, so idle endpoints get calls in proportion to their weight";
// PickRequest.tried: a retry avoids the endpoints already tried. WeightedDraw.leastLoaded makes
// 2 × 16 weighted draws and skips tried ones; when a heavy endpoint was tried those draws land on
// it almost every time, and the fallback (pickLeastLoaded) draws uniformly: the retry's choice
// among the idle untried endpoints ignores their weights. Likewise once every candidate was tried.
import { describe, expect, it } from 'vitest';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint } from '../../src/endpoints/parse.js';
import { leastRequest } from '../../src/index.js';
import { mulberry32 } from '../helpers/prng.js';

const fleet = (weights: number[]): LiveEndpoint[] =>
  weights.map((weight, i) => new LiveEndpoint(parseEndpoint({ host: `10.0.0.${i + 1}`, port: 80, weight }), 10_000, 0));

function shares(weights: number[], tried: (list: LiveEndpoint[]) => LiveEndpoint[]): number[] {
  const list = fleet(weights);
  const p = leastRequest({ random: mulberry32(7) });
  p.update(list);
  const t = tried(list);
  const counts = list.map(() => 0);
  const n = 40_000;
  for (let i = 0; i < n; i++) counts[list.indexOf(p.pick({ key: undefined, tried: t, now: 0 }) as LiveEndpoint)]!++;
  return counts.map((c) => c / n);
}

describe('leastRequest: a retry draws idle untried endpoints in proportion to weight', () => {
  it('after the weight-1000 endpoint was tried, weights 1 and 3 share the retries 25 / 75 (not ≈ 47 / 53)', () => {
    const [, light, heavier] = shares([1000, 1, 3], (l) => [l[0]!]);
    expect(light).toBeGreaterThan(0.22);
    expect(light).toBeLessThan(0.28);
    expect(heavier).toBeGreaterThan(0.72);
  });

  it('once every endpoint was tried, weights 1, 2, 3 are drawn 1/6, 2/6, 3/6 (not a third each)', () => {
    const s = shares([1, 2, 3], (l) => l);
    expect(s[0]).toBeLessThan(0.2);
    expect(s[2]).toBeGreaterThan(0.45);
  });
});
