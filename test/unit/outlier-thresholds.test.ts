// Outlier detection's comparisons hold where floating point would misjudge: a uniform
// cluster has no success-rate outlier whatever the stdev factor, and a failure percentage
// exactly at the threshold reaches it.
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import type { LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { EndpointHealth } from '../../src/health/endpoint-health.js';
import { detectOutliers } from '../../src/health/outliers.js';

/** Endpoints with the interval counts given, as detectOutliers reads them. */
function pool(counts: readonly (readonly [ok: number, failed: number])[]): LiveEndpoint[] {
  return counts.map(([ok, failed], i) => {
    const health = new EndpointHealth(new ConsecutiveBreaker(5), 0);
    health.intervalOk = ok;
    health.intervalFailed = failed;
    return { id: `e${i}`, health } as unknown as LiveEndpoint;
  });
}

function ejected(list: LiveEndpoint[], options: Parameters<typeof detectOutliers>[1]): string[] {
  const out: string[] = [];
  detectOutliers(list, options, (e) => out.push(e.id));
  return out;
}

const successRate = (stdevFactor: number) => ({ interval: 10_000, successRate: { stdevFactor, minimumHosts: 5, requestVolume: 3 }, failurePercentage: undefined });

describe('success-rate outliers, without rounding errors', () => {
  it('a uniform cluster (every endpoint at 1/3, at different volumes) has no outlier, even with a stdev factor below 1', () => {
    for (const factor of [0.1, 0.5, 0.99, 1, 1.9]) {
      const counts = Array.from({ length: 10 }, (_, i) => [i + 1, 2 * (i + 1)] as const);
      expect(ejected(pool(counts), successRate(factor))).toEqual([]);
      expect(ejected(pool(Array.from({ length: 10 }, () => [1, 2] as const)), successRate(factor))).toEqual([]);
    }
  });

  it('still finds a real outlier', () => {
    const counts: (readonly [number, number])[] = [[99, 1], [99, 1], [99, 1], [99, 1], [99, 1], [70, 30]];
    expect(ejected(pool(counts), successRate(1.9))).toEqual(['e5']);
    expect(ejected(pool(counts.slice(0, 5)), successRate(0.1))).toEqual([]);
  });
});

describe('failure-percentage outliers', () => {
  it('an endpoint exactly at the threshold is ejected; one just below is not', () => {
    const fp = (threshold: number) => ({ interval: 10_000, successRate: undefined, failurePercentage: { threshold, minimumHosts: 5, requestVolume: 50 } });
    const counts: (readonly [number, number])[] = [[40, 10], [39, 11], [50, 0], [50, 0], [50, 0]];
    expect(ejected(pool(counts), fp(20))).toEqual(['e0', 'e1']);
    expect(ejected(pool(counts), fp(22))).toEqual(['e1']);
    expect(ejected(pool([[45, 5], [45, 5], [45, 5], [45, 5], [45, 5]]), fp(10))).toHaveLength(5);
  });
});
