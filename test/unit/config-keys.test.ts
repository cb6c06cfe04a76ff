// Unknown option keys, at every level, throw ConfigError naming the full path and suggesting a
// near key: createClient's options, per-call options, fetch's init, live documents, wrappers.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, type ClientOptions } from '../../src/index.js';
import { checkFetchInit } from '../../src/config/call-options.js';
import { createUndiciClient } from '../../src/undici/index.js';
import { BASE, fakeClockClients, thrownConfigError } from '../helpers/config-client.js';
import { FakeClock } from '../helpers/fake-clock.js';

const base = BASE;
const client = fakeClockClients();
const thrown = thrownConfigError;

describe('createClient refuses unknown option keys at every level', () => {
  it.each([
    [{ retry: { attemps: 1 } }, 'retry.attemps', 'retry.attempts'],
    [{ retry: { attempt: 5 } }, 'retry.attempt', 'retry.attempts'],
    [{ timeuot: { total: 5 } }, 'timeuot', 'timeout'],
    [{ Timeout: { total: 5 } }, 'Timeout', 'timeout'],
    [{ timeout: { totl: 5 } }, 'timeout.totl', 'timeout.total'],
    [{ timeout: { ATTEMPT: 5 } }, 'timeout.ATTEMPT', 'timeout.attempt'],
    [{ retries: 5 }, 'retries', undefined],
    [{ attempts: 5 }, 'attempts', 'retry.attempts'],
    [{ retry: { budget: { ratoi: 0.1 } } }, 'retry.budget.ratoi', 'retry.budget.ratio'],
    [{ retry: { backoff: { max: 100 } } }, 'retry.backoff.max', undefined],
    [{ retry: { statuscodes: [503] } }, 'retry.statuscodes', 'retry.statusCodes'],
    [{ hedge: { delay: 10, maxExtraLod: 0.1 } }, 'hedge.maxExtraLod', 'hedge.maxExtraLoad'],
    [{ health: { ejectionTme: 5 } }, 'health.ejectionTme', 'health.ejectionTime'],
    [{ health: { checks: { intervl: 5 } } }, 'health.checks.intervl', 'health.checks.interval'],
    [{ health: { slowStart: { window: 5, agression: 2 } } }, 'health.slowStart.agression', 'health.slowStart.aggression'],
    [{ health: { outliers: { intervall: 5 } } }, 'health.outliers.intervall', 'health.outliers.interval'],
    [{ health: { outliers: { successRate: { stdevfactor: 2 } } } }, 'health.outliers.successRate.stdevfactor', 'health.outliers.successRate.stdevFactor'],
    [{ health: { outliers: { failurePercentage: { treshold: 50 } } } }, 'health.outliers.failurePercentage.treshold', 'health.outliers.failurePercentage.threshold'],
    [{ circuitBreaker: { halfOpenAftr: 5 } }, 'circuitBreaker.halfOpenAftr', 'circuitBreaker.halfOpenAfter'],
    [{ subset: { size: 1, clientId: 0, seed: 1 } }, 'subset.seed', undefined],
    [{ localzone: 'a' }, 'localzone', 'localZone'],
    [{ waitForEndpoint: true }, 'waitForEndpoint', 'waitForEndpoints'],
  ])('%j → %s', (extra, path, suggestion) => {
    const err = thrown(() => createClient({ ...base, ...extra } as ClientOptions));
    expect(err.path).toBe(path);
    expect(err.code).toBe('ERR_BULWARK_CONFIG');
    expect(err.message).toContain(`svc: ${path} is not`);
    if (suggestion === undefined) expect(err.message).not.toContain('did you mean');
    else expect(err.message).toContain(`did you mean \`${suggestion}\`?`);
  });

  it('lists the known keys when none is close, and says where a misplaced key belongs', () => {
    expect(thrown(() => createClient({ ...base, frobnicate: 5 } as never)).message).toMatch(/^svc: frobnicate is not an option of createClient \(known: name, discovery, picker, timeout, retry, /);
    expect(thrown(() => createClient({ ...base, pool: {} } as never)).message).toContain('createUndiciClient');
    expect(thrown(() => createClient({ ...base, channelOptions: {} } as never)).message).toContain('createGrpcClient');
    expect(thrown(() => createClient({ ...base, idempotent: false } as never)).message).toContain('per-call option');
  });

  it('never echoes the value of an unknown key (it may be a secret)', () => {
    for (const extra of [{ tokne: 'hunter2' }, { retry: { auth: { password: 'hunter2' } } }, { health: { checks: { hedaers: ['Bearer hunter2'] } } }]) {
      const err = thrown(() => createClient({ ...base, ...extra } as never));
      expect(err.message).not.toContain('hunter2');
      expect(JSON.stringify(err.value)).not.toContain('hunter2');
    }
    expect(thrown(() => createClient({ ...base, retry: { attemps: 1 } } as never)).message).toMatch(/, got 1$/);
  });

  it('accepts every documented key at every level', async () => {
    const everything: ClientOptions = {
      ...base, clock: new FakeClock(), fetch: globalThis.fetch, waitForEndpoints: false, localZone: 'a',
      timeout: { attempt: 100, total: 200 },
      retry: { attempts: 2, budget: { ratio: 0.1, minPerSecond: 1, window: 1_000 }, backoff: { base: 1, cap: 2 }, statusCodes: [503] },
      hedge: { delay: 'p95', maxExtraLoad: 0.1 },
      health: {
        breaker: undefined, ejectionTime: 1_000, maxEjectionTime: 2_000, maxEjectionPercent: 50, panicThreshold: 10, probes: 1,
        checks: { path: '/h', interval: 1_000, jitter: 0, timeout: 100, unhealthyThreshold: 1, healthyThreshold: 1 },
        slowStart: { window: 1_000, aggression: 1, minWeightPercent: 10 },
        outliers: { interval: 1_000, successRate: { stdevFactor: 1, minimumHosts: 1, requestVolume: 1 }, failurePercentage: { threshold: 50, minimumHosts: 1, requestVolume: 1 } },
        overprovisioning: 1.4, isFailure: () => true,
      },
      subset: { size: 2, clientId: 0 },
      circuitBreaker: { breaker: undefined, halfOpenAfter: 1_000 },
    };
    const c = createClient(everything);
    await c.close();
    // A custom check takes neither `path` nor `probes` (refused as doing nothing): its own key, here.
    const custom = createClient({ ...everything, health: { ...everything.health, probes: undefined, checks: { check: () => true, interval: 1_000 } } });
    await custom.close();
  });
});

describe('per-call options are strict too', () => {
  it.each([
    [{ retry: false }, 'retry', /retry is not a per-call option \(it is a client option: set it in createClient/],
    [{ hedg: false }, 'hedg', /did you mean `hedge`\?/],
    [{ Key: 'u1' }, 'Key', /did you mean `key`\?/],
    [{ timeout: { totl: 5 } }, 'timeout.totl', /did you mean `timeout.total`\?/],
    [{ idempotant: true }, 'idempotant', /did you mean `idempotent`\?/],
  ])('execute(fn, %j) rejects with %s before anything is sent', async (options, path, message) => {
    const c = client();
    let calls = 0;
    const err = await c.execute(async () => { calls++; }, options as never).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe(path);
    expect((err as ConfigError).message).toMatch(message);
    expect(calls).toBe(0);
  });

  it('fetch rejects a per-call timeout with an unknown key', async () => {
    const c = client({ fetch: () => Promise.resolve(new Response('never')) });
    await expect(c.fetch('/x', { timeout: { totl: 5 } as never })).rejects.toMatchObject({ path: 'timeout.totl' });
  });

  it('fetch rejects a client option (retry: false) or a near miss in its init before anything is sent, and passes other keys to the fetch function', async () => {
    const seen: RequestInit[] = [];
    const c = client({ fetch: (_u: unknown, init?: RequestInit) => { seen.push(init ?? {}); return Promise.resolve(new Response('ok')); } });
    await expect(c.fetch('/x', { retry: false } as never)).rejects.toMatchObject({ path: 'retry' });
    await expect(c.fetch('/x', { timout: { total: 5 } } as never)).rejects.toMatchObject({ path: 'timout' });
    expect(seen).toHaveLength(0);
    const res = await c.fetch('/x', { dispatcher: 'mine' } as never);
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({ dispatcher: 'mine' });
  });

  it('checkFetchInit refuses client options and near misses in fetch init, and leaves other keys to the fetch function', () => {
    expect(thrown(() => checkFetchInit('svc', { method: 'GET', retry: false })).path).toBe('retry');
    expect(thrown(() => checkFetchInit('svc', { timout: { total: 5 } })).message).toContain('did you mean `timeout`?');
    expect(thrown(() => checkFetchInit('svc', { Hedge: false })).path).toBe('Hedge');
    expect(() => checkFetchInit('svc', { method: 'POST', body: 'x', headers: {}, duplex: 'half', dispatcher: {}, agent: {}, compress: false, key: 'a', classify: undefined })).not.toThrow();
    expect(() => checkFetchInit('svc', undefined)).not.toThrow();
  });
});

describe('reconfigure refuses unknown keys at every level and keeps the configuration', () => {
  it.each([
    [{ retry: { attemps: 1 } }, 'retry.attemps', 'retry.attempts'],
    [{ retyr: false }, 'config.retyr', 'config.retry'],
    [{ timeout: { Total: 5 } }, 'timeout.Total', 'timeout.total'],
    [{ hedge: { dealy: 5 } }, 'hedge.dealy', 'hedge.delay'],
    [{ health: { ejectonTime: 5 } }, 'config.health.ejectonTime', 'config.health.ejectionTime'],
  ])('%j → %s', (document, path, suggestion) => {
    const c = client({ retry: { attempts: 2 }, health: {} });
    const err = thrown(() => c.reconfigure(document as never));
    expect(err.path).toBe(path);
    expect(err.message).toContain(`did you mean \`${suggestion}\`?`);
  });

  it('a nested typo no longer raises attempts to the default: the last good configuration stays', async () => {
    const c = client({ retry: { attempts: 1 } });
    expect(() => c.reconfigure({ retry: { attemps: 1 } as never })).toThrow(/retry\.attemps/);
    let n = 0;
    await expect(c.execute(async () => { n++; throw new Error('no'); })).rejects.toThrow('no');
    expect(n).toBe(1);
  });

  it('still names createClient options that cannot change live', () => {
    const c = client({ health: {} });
    expect(thrown(() => c.reconfigure({ localZone: 'b' } as never)).message).toMatch(/config\.localZone is not a live option \(it cannot change while the client runs/);
    expect(thrown(() => c.reconfigure({ health: { probes: 1, slowStart: false } } as never)).message).toMatch(/config\.health\.slowStart is not a live health option \(it cannot change/);
  });
});

describe('wrappers keep their own keys', () => {
  it('createUndiciClient takes pool and still refuses a typo in the core options', async () => {
    const u = createUndiciClient({ ...base, pool: { connections: 2 } });
    await u.close();
    expect(thrown(() => createUndiciClient({ ...base, pool: {}, retry: { attemps: 2 } } as never)).path).toBe('retry.attemps');
    expect(thrown(() => createUndiciClient({ ...base, pol: {} } as never)).path).toBe('pol');
  });
});

describe('hedge.delay beyond the longest timer', () => {
  // What broke: `hedge: { delay: 2 ** 31 }` was refused as "must be a number of ms ≥ 0", which it is: the upper bound went unsaid.
  it('names the bound', () => {
    expect(() => createClient({ name: 'svc', discovery: ['127.0.0.1:1'], hedge: { delay: 2 ** 31 } })).toThrow(/2³¹−1/);
  });
});
