// Option combinations that could never take effect throw ConfigError saying why and what to
// change: a hedge on a client allowing one attempt per call, localZone without health tracking.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { BASE, fakeClockClients, thrownConfigError } from '../helpers/config-client.js';

const base = BASE;
const client = fakeClockClients();
const thrown = thrownConfigError;

describe('a hedge needs a second attempt', () => {
  it.each([
    [{ retry: false }],
    [{ retry: { attempts: 1 } }],
  ] as const)('createClient refuses hedge with %j', (retry) => {
    const err = thrown(() => createClient({ ...base, ...retry, hedge: { delay: 50 } }));
    expect(err.path).toBe('hedge');
    expect(err.message).toContain('svc: hedge can never be sent: a hedge is an extra attempt, and this client allows 1 attempt per call');
    expect(err.message).toContain('set retry.attempts ≥ 2, or hedge: false');
  });

  it('accepts hedge with two attempts, and hedge: false with one', () => {
    client({ retry: { attempts: 2 }, hedge: { delay: 50 } });
    client({ retry: false, hedge: false });
  });

  it('reconfigure refuses a document that leaves a hedge with one attempt; with hedge: false in it, it is accepted', () => {
    const hedged = client({ hedge: { delay: 50 } });
    expect(thrown(() => hedged.reconfigure({ retry: false })).path).toBe('hedge');
    expect(thrown(() => hedged.reconfigure({ retry: { attempts: 1 } })).path).toBe('hedge');
    hedged.reconfigure({ retry: false, hedge: false });
    const single = client({ retry: false });
    expect(thrown(() => single.reconfigure({ hedge: { delay: 5 } })).path).toBe('hedge');
    single.reconfigure({ hedge: { delay: 5 }, retry: { attempts: 2 } });
  });

  it('a per-call hedge on a one-attempt client rejects the call before anything is sent', async () => {
    const c = client({ retry: false });
    let calls = 0;
    const fn = async (): Promise<string> => { calls++; return 'ok'; };
    const err = await c.execute(fn, { hedge: { delay: 5 } }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('hedge');
    expect((err as ConfigError).message).toContain('give the client retry.attempts ≥ 2, or leave hedge out of this call');
    expect(calls).toBe(0);
    await expect(c.execute(fn, { hedge: false })).resolves.toBe('ok');
    await expect(client({ retry: { attempts: 1 } }).fetch('/x', { hedge: { delay: 5 } })).rejects.toMatchObject({ path: 'hedge' });
  });
});

describe('localZone needs health tracking', () => {
  it('createClient refuses localZone with health: false', () => {
    const err = thrown(() => createClient({ ...base, localZone: 'a', health: false }));
    expect(err.path).toBe('localZone');
    expect(err.message).toContain('svc: localZone is ignored with health: false (zone-aware routing needs health tracking)');
  });

  it('accepts localZone with health on (the default or an object)', () => {
    client({ localZone: 'a' });
    client({ localZone: 'a', health: { maxEjectionPercent: 50 } });
  });
});
