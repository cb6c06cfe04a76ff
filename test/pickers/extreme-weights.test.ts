// What broke: weights such as 1e306 or 1e-310 were accepted, then hung ringHash or skewed the weighted pickers.
// README "Endpoints and discovery": weights were validated only as finite numbers > 0
// (src/endpoints/parse.ts), and nothing capped them. Envoy caps what the arithmetic can hold (a
// locality's weights must sum to at most 2³²−1); here a weight whose ringSize × weight, or the
// candidates' sum of weights, overflowed to Infinity was accepted and then broke the pickers; so
// did a weight so small that 1 / weight overflows. Weights are now bounded at parse time to
// [1e-6, 1e6] (parse.ts MIN_WEIGHT / MAX_WEIGHT, bounds tested in weight-bounds.test.ts); the
// pickers are checked here at those bounds, and the ring's halving loop is checked to end even
// when given weights that bypass parsing (defence in depth).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { EndpointParseError, parseEndpoint } from '../../src/endpoints/parse.js';
import { leastRequest, weightedRoundRobin } from '../../src/index.js';
import { mulberry32 } from '../helpers/prng.js';

/** Runs `lines` as an ES module in a child node against the built package (dist/index.js), killed after 8 s. */
function runChild(lines: string[]): { signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rp3-'));
  try {
    const dist = pathToFileURL(resolve(__dirname, '../../dist/index.js')).href;
    const script = join(dir, 'huge-weight.mjs');
    writeFileSync(script, lines.join('\n').replaceAll('DIST', JSON.stringify(dist)));
    const run = spawnSync(process.execPath, [script], { timeout: 8_000, encoding: 'utf8' });
    return { signal: run.signal, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('very large endpoint weights', () => {
  it('ringHash: createClient with an endpoint of weight 1e306 refuses the weight (ConfigError at discovery[0].weight) instead of spinning for ever', () => {
    // Run in a child: were the weight let through, the picker's update would never return and hang this worker.
    const run = runChild([
      `import { createClient, ringHash, ConfigError } from DIST;`,
      `let c;`,
      `try { c = createClient({ name: 'svc', picker: ringHash(), discovery: [{ host: '10.0.0.1', port: 1, weight: 1e306 }, { host: '10.0.0.2', port: 1 }] }); }`,
      `catch (e) { console.log(e instanceof ConfigError ? 'refused ' + e.path : 'threw ' + e); process.exit(0); }`,
      `console.log('settled', await c.execute((e) => e.host, { key: 'user-1' }));`,
      `await c.close();`,
    ]);
    expect(run.signal, 'the child was killed after 8 s: createClient never returned').toBeNull();
    expect(run.stdout, run.stderr).toMatch(/^refused discovery\[0\]\.weight/);
  });

  it('ringHash given weights past every bound directly (not through parsing) still settles: the halving loop ends', () => {
    // Defence in depth: ringSize × 1e306 and ringSize × 1e308 overflow to Infinity, which no
    // halving of the counts brings under the ring's maximum.
    const run = runChild([
      `import { ringHash } from DIST;`,
      `const state = (id, weight) => ({ id, weight, inflight: 0 });`,
      `const p = ringHash({ ringSize: 8_388_608 });`,
      `const list = [state('http://10.0.0.1:1', 1e306), state('http://10.0.0.2:1', 1e308), state('http://10.0.0.3:1', 1)];`,
      `p.update(list);`,
      `const seen = new Set();`,
      `for (let i = 0; i < 200; i++) seen.add(p.pick({ key: 'user-' + i, tried: [] })?.id);`,
      `console.log('settled', [...seen].every((id) => list.some((e) => e.id === id)) ? 'ok' : 'bad ' + [...seen]);`,
    ]);
    expect(run.signal, 'the child was killed after 8 s: update never returned').toBeNull();
    expect(run.stdout, run.stderr).toMatch(/^settled ok/);
  });

  it('weights past 1e6 (1e308, 1e307) are refused at parse time with the bad-weight error', () => {
    for (const weight of [1e308, 1e307]) {
      expect(() => parseEndpoint({ host: '10.0.0.1', port: 80, weight })).toThrow(EndpointParseError);
    }
  });

  it('leastRequest: weights at the bound, 1e6, 1e6, 1e5, are drawn in proportion (≈ 47.6 / 47.6 / 4.8 %)', () => {
    const weights = [1e6, 1e6, 1e5];
    const list = weights.map((weight, i) => new LiveEndpoint(parseEndpoint({ host: `10.0.0.${i + 1}`, port: 80, weight }), 10_000, 0));
    const p = leastRequest({ random: mulberry32(1) });
    p.update(list);
    const counts = [0, 0, 0];
    const n = 30_000;
    for (let i = 0; i < n; i++) counts[list.indexOf(p.pick({ key: undefined, tried: [], now: 0 }) as LiveEndpoint)]!++;
    const shares = counts.map((c) => c / n);
    expect(shares[0]).toBeCloseTo(1 / 2.1, 1);
    expect(shares[1]).toBeCloseTo(1 / 2.1, 1);
    expect(shares[2]).toBeGreaterThan(0.03);
    expect(shares[2]).toBeLessThan(0.07);
  });
});

describe('very small endpoint weights', () => {
  it('a weight of 1e-310 (whose 1 / weight is Infinity) is refused at parse time', () => {
    expect(() => parseEndpoint({ host: '10.0.0.1', port: 80, weight: 1e-310 })).toThrow(EndpointParseError);
  });

  it('weightedRoundRobin: an endpoint of weight 1e-6 (the bound) next to two of weight 1 gets (almost) no call, even when random() returns 0', () => {
    // random() may return 0 ([0, 1)); with 1 / weight = Infinity the new endpoint's first
    // deadline was 0 × Infinity = NaN, which no comparison orders, so it stayed at the top of the heap for ever.
    const list = [1e-6, 1, 1].map((weight, i) => new LiveEndpoint(parseEndpoint({ host: `10.0.0.${i + 1}`, port: 80, weight }), 10_000, 0));
    const p = weightedRoundRobin({ random: () => 0 });
    p.update(list);
    let tiny = 0;
    for (let i = 0; i < 300; i++) if (p.pick({ key: undefined, tried: [] }) === list[0]) tiny++;
    expect(tiny).toBeLessThanOrEqual(1);
  });
});
