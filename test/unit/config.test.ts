import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, peakEwma, roundRobin, staticDiscovery, type ClientOptions } from '../../src/index.js';

function configError(options: unknown): ConfigError {
  try {
    createClient(options as ClientOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('createClient did not throw');
}

const base = { name: 'svc', discovery: ['127.0.0.1:8080'] };

describe('createClient validates every option once, naming it', () => {
  it.each([
    [{ ...base, name: '' }, 'name'],
    [{ discovery: ['127.0.0.1:8080'] }, 'name'],
    [{ ...base, discovery: undefined }, 'discovery'],
    [{ ...base, discovery: 'http://127.0.0.1:8080' }, 'discovery'],
    [{ ...base, discovery: { watch: 1 } }, 'discovery'],
    [{ ...base, picker: {} }, 'picker'],
    [{ ...base, picker: { name: 'x', update() {}, pick() {}, latencyDecay: -1 } }, 'picker.latencyDecay'],
    [{ ...base, timeout: 5 }, 'timeout'],
    [{ ...base, timeout: { attempt: 0 } }, 'timeout.attempt'],
    [{ ...base, timeout: { attempt: Number.NaN } }, 'timeout.attempt'],
    [{ ...base, timeout: { total: -5 } }, 'timeout.total'],
    [{ ...base, timeout: { total: Infinity } }, 'timeout.total'],
    [{ ...base, retry: true }, 'retry'],
    [{ ...base, retry: { attempts: -1 } }, 'retry.attempts'],
    [{ ...base, retry: { attempts: 1.5 } }, 'retry.attempts'],
    [{ ...base, retry: { budget: 'lots' } }, 'retry.budget'],
    [{ ...base, retry: { budget: { ratio: -0.1 } } }, 'retry.budget.ratio'],
    [{ ...base, retry: { budget: { minPerSecond: '10' } } }, 'retry.budget.minPerSecond'],
    [{ ...base, retry: { budget: { window: 0 } } }, 'retry.budget.window'],
    [{ ...base, retry: { backoff: { base: -1 } } }, 'retry.backoff.base'],
    [{ ...base, retry: { backoff: { base: 100, cap: 50 } } }, 'retry.backoff.cap'],
    [{ ...base, fetch: 'fetch' }, 'fetch'],
  ])('%j → %s', (options, path) => {
    const err = configError(options);
    expect(err.path).toBe(path);
    expect(err.code).toBe('ERR_BULWARK_CONFIG');
    expect(err.message).toContain(path);
  });

  it('says what was wrong and what was given', () => {
    const err = configError({ ...base, retry: { attempts: -1 } });
    expect(err.message).toBe('svc: retry.attempts must be an integer ≥ 1 (at most 100), got -1');
    expect(err.value).toBe(-1);
    expect(err.service).toBe('svc');
  });

  it.each([
    ['not a url at all', 'discovery[1]'],
    ['127.0.0.1', 'discovery[1]'],
    ['ftp://127.0.0.1', 'discovery[1].port'],
    ['http://127.0.0.1:0', 'discovery[1].port'],
    ['http://127.0.0.1:8080/?q=1', 'discovery[1]'],
    ['127.0.0.1:99999', 'discovery[1].port'],
  ])('a malformed static endpoint %j throws at creation (%s)', (entry, path) => {
    const err = configError({ name: 'svc', discovery: ['127.0.0.1:8080', entry] });
    expect(err.path).toBe(path);
  });

  it.each([
    [{ host: '127.0.0.1', port: 0 }, 'discovery[0].port'],
    [{ host: '', port: 80 }, 'discovery[0].host'],
    [{ host: 'a', port: 80, weight: 0 }, 'discovery[0].weight'],
    [{ host: 'a', port: 80, priority: -1 }, 'discovery[0].priority'],
    [{ host: 'a', port: 80, metadata: { a: 1 } }, 'discovery[0].metadata.a'],
  ])('a malformed endpoint object %j throws (%s)', (entry, path) => {
    expect(configError({ name: 'svc', discovery: [entry] }).path).toBe(path);
    expect(configError({ name: 'svc', discovery: staticDiscovery([entry as never]) }).path).toBe(path);
  });

  it.each([
    ['http://admin:hunter2@127.0.0.1:8080/?x'],
    ['http://admin:p@hunter2@bad host:80'],
    ['http://admin:my hunter2@bad host:80'],
    [{ host: 'admin:hunter2@10.0.0.1', port: 80 }],
  ])('never echoes URL credentials in the error (%j)', (entry) => {
    const err = configError({ name: 'svc', discovery: [entry] });
    expect(err.message).not.toContain('hunter2');
    expect(JSON.stringify(err.value)).not.toContain('hunter2');
  });

  it('ConfigError.value is a copy with URL credentials removed, however deep in an object they sit', () => {
    const bad = { watch: 'not a function', source: { urls: ['http://admin:hunter2@10.0.0.9:80'] } };
    const err = configError({ name: 'svc', discovery: bad as never });
    expect(err.path).toBe('discovery');
    expect(JSON.stringify(err.value)).not.toContain('hunter2');
    expect(err.value).toEqual({ watch: 'not a function', source: { urls: ['http://10.0.0.9:80'] } });
    expect(bad.source.urls[0]).toContain('hunter2'); // the caller's object is left alone
  });

  it.each(['api.internal:8080', 'bad|host', 'a<b>', 'a]b', '[', 'x y'])('refuses the host %j at creation', (host) => {
    expect(configError({ name: 'svc', discovery: [{ host, port: 80 }] }).path).toBe('discovery[0].host');
  });

  it('accepts bracketed and normalises IPv6 hosts', async () => {
    const client = createClient({ name: 'svc', discovery: [{ host: '[::1]', port: 80 }, { host: '0:0:0:0:0:0:0:2', port: 80 }] });
    expect(client.endpoints().map((e) => e.id)).toEqual(['http://[::1]:80', 'http://[::2]:80']);
    await client.close();
  });

  it('refuses a picker already used by another client', async () => {
    const picker = roundRobin();
    const first = createClient({ ...base, picker });
    expect(configError({ ...base, picker }).path).toBe('picker');
    await first.close();
  });

  it('accepts the documented defaults and retry: false', async () => {
    const a = createClient({ ...base, retry: false, picker: peakEwma() });
    const b = createClient({ ...base, retry: { budget: false } });
    expect(a.stats().budgetRemaining).toBeNull();
    expect(b.stats().picker).toBe('peakEwma');
    await Promise.all([a.close(), b.close()]);
  });
});
