// What broke: changing the circuitBreaker or subset object passed to createClient made every later reconfigure fail.
// README, "Live configuration": "createClient's options are copied when the client is made:
// changing the objects you passed afterwards changes nothing, `{}` included." Only the live
// keys' objects are copied (config/live.ts keepGiven); `circuitBreaker` and `subset` are kept by
// reference and validated again on every reconfigure.
import { describe, expect, it } from 'vitest';
import { ConsecutiveBreaker } from 'cockatiel';
import { fakeClockClients } from '../helpers/config-client.js';

const client = fakeClockClients();

describe('live configuration: the objects passed to createClient', () => {
  it('changing the circuitBreaker object afterwards does not make reconfigure refuse every document', () => {
    const circuitBreaker: { halfOpenAfter?: unknown } = { halfOpenAfter: 5_000 };
    const c = client({ circuitBreaker: circuitBreaker as { halfOpenAfter: number } });
    circuitBreaker.halfOpenAfter = '5s'; // the caller reuses (or reworks) its options object
    expect(() => c.reconfigure({ retry: false })).not.toThrow();
    expect(() => c.reconfigure({})).not.toThrow();
  });

  it('changing the subset object afterwards does not make reconfigure refuse every document', () => {
    const subset: { size: number; clientId: number } = { size: 1, clientId: 0 };
    const c = client({ subset });
    subset.clientId = -1;
    expect(() => c.reconfigure({ timeout: { attempt: 500 } })).not.toThrow();
  });

  it('changing nested health objects afterwards neither breaks nor changes what a document is laid over', () => {
    const successRate: { stdevFactor: unknown } = { stdevFactor: 1.9 };
    const health = { ejectionTime: 1_000, outliers: { successRate: successRate as { stdevFactor: number } } };
    const c = client({ health, localZone: 'a' });
    successRate.stdevFactor = -1;
    health.ejectionTime = -5;
    expect(() => c.reconfigure({ health: { probes: 2 } })).not.toThrow();
    expect(() => c.reconfigure({})).not.toThrow();
  });

  it('functions and class instances are kept: a breaker factory still works after reconfigure', () => {
    let made = 0;
    const c = client({ circuitBreaker: { breaker: () => { made++; return new ConsecutiveBreaker(3); } } });
    const before = made;
    expect(() => c.reconfigure({ retry: false })).not.toThrow();
    expect(made).toBe(before);
  });
});
