// Health option combinations that can never take effect are refused with ConfigError naming the
// option (README, "Options"), as `localZone` with `health: false` is.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, type ClientOptions } from '../../src/index.js';

function refusal(health: ClientOptions['health']): ConfigError | undefined {
  try {
    void createClient({ name: 'svc', discovery: ['http://127.0.0.1:1'], health }).close();
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

describe('health options that cannot take effect', () => {
  it.each([
    ['outliers with successRate: false, failurePercentage off', { outliers: { successRate: false } }, 'health.outliers', /detects nothing/],
    ['outliers with both detectors false', { outliers: { successRate: false, failurePercentage: false } }, 'health.outliers', /detects nothing/],
    ['checks.path with a custom check', { checks: { path: '/ready', check: (): boolean => true } }, 'health.checks.path', /custom health\.checks\.check/],
    ['probes with a custom check', { probes: 5, checks: { check: (): boolean => true } }, 'health.probes', /health\.checks\.check/],
  ] as const)('%s is refused, naming %s', (_label, health, path, message) => {
    const err = refusal(health as ClientOptions['health']);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.path).toBe(path);
    expect(err!.message).toMatch(message);
  });

  it.each([
    ['outliers: {}', { outliers: {} }],
    ['outliers with failure percentage only', { outliers: { successRate: false, failurePercentage: {} } }],
    ['outliers with success rate only', { outliers: { failurePercentage: false } }],
    ['checks.path with the default check', { checks: { path: '/ready' } }],
    ['a custom check', { checks: { check: (): boolean => true } }],
    // With the default HTTP check, endpoints of other schemes are probed by real calls: probes applies to them.
    ['probes with the default check', { probes: 5, checks: {} }],
    ['probes without checks', { probes: 5 }],
  ] as const)('%s is accepted', (_label, health) => {
    expect(refusal(health as ClientOptions['health'])).toBeUndefined();
  });

  it('is refused by reconfigure too, changing nothing', async () => {
    const client = createClient({ name: 'svc', discovery: ['http://127.0.0.1:1'], health: { checks: { check: (): boolean => true } } });
    expect(() => client.reconfigure({ health: { probes: 3 } })).toThrow(ConfigError);
    await client.close();
  });
});
