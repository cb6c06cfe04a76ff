import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { DNS_DEFAULTS, refreshDelay, resolveDnsOptions, srvRefreshDelay } from '../../src/discovery/dns-options.js';
import { checkSrv, nameEndpoints, srvEndpoints, srvWeights } from '../../src/discovery/dns-records.js';
import { dnsDiscovery } from '../../src/discovery/dns.js';
import { loopDiscovery, MAX_REMEMBERED_REJECTIONS, rejectOnce } from '../../src/discovery/support.js';
import { stopFunction } from '../helpers/stop-function.js';

const shape = { protocol: 'http', basePath: '' };

describe('refresh schedule', () => {
  const limits = { minInterval: 5_000, maxInterval: 30_000 };
  it('refreshes at the shortest TTL, clamped to minInterval and maxInterval', () => {
    expect(refreshDelay(10, limits)).toBe(10_000);
    expect(refreshDelay(0, limits)).toBe(5_000);
    expect(refreshDelay(1, limits)).toBe(5_000);
    expect(refreshDelay(3_600, limits)).toBe(30_000);
    expect(refreshDelay(2_147_483_647, limits)).toBe(30_000);
  });
  it('an answer without a TTL waits maxInterval', () => {
    expect(refreshDelay(undefined, limits)).toBe(30_000);
    expect(refreshDelay(Number.NaN, limits)).toBe(30_000);
  });
  it('SRV: every interval, sooner at a target TTL, never under minInterval unless interval is shorter', () => {
    expect(srvRefreshDelay(undefined, { minInterval: 5_000, interval: 30_000 })).toBe(30_000);
    expect(srvRefreshDelay(10, { minInterval: 5_000, interval: 30_000 })).toBe(10_000);
    expect(srvRefreshDelay(0, { minInterval: 5_000, interval: 30_000 })).toBe(5_000);
    expect(srvRefreshDelay(3_600, { minInterval: 5_000, interval: 60_000 })).toBe(60_000);
    expect(srvRefreshDelay(0, { minInterval: 5_000, interval: 200 })).toBe(200);
  });
  it('defaults: 5 s to 30 s, both families, 2 tries of 2 s; SRV every 30 s', () => {
    const o = resolveDnsOptions({ name: 'api.internal', port: 8080 });
    expect(o).toMatchObject({ kind: 'name', query: 'api.internal', port: 8080, weight: 1, protocol: 'http', family: 0, minInterval: 5_000, maxInterval: 30_000, timeout: 2_000, tries: 2 });
    expect(DNS_DEFAULTS).toEqual({ family: 0, timeout: 2_000, tries: 2, minInterval: 5_000, maxInterval: 30_000 });
    expect(resolveDnsOptions({ srv: '_http._tcp.API.internal.' })).toMatchObject({ kind: 'srv', query: '_http._tcp.api.internal', interval: 30_000 });
    // A minInterval above the default maxInterval raises it rather than failing.
    expect(resolveDnsOptions({ name: 'a.internal', port: 1, minInterval: 60_000 }).maxInterval).toBe(60_000);
  });
});

describe('options are checked at creation', () => {
  const bad: [unknown, string][] = [
    [undefined, 'options'],
    [{}, 'options'],
    [{ name: 'a.internal', srv: '_x._tcp.a.internal', port: 1 }, 'options'],
    [{ name: 'a.internal' }, 'port'],
    [{ name: 'a.internal', port: 0 }, 'port'],
    [{ name: 'a.internal', port: 70_000 }, 'port'],
    [{ name: '10.0.0.1', port: 80 }, 'name'],
    [{ name: 'bad name', port: 80 }, 'name'],
    [{ name: `${'a'.repeat(64)}.internal`, port: 80 }, 'name'],
    [{ srv: '_x._tcp.a.internal', port: 80 }, 'port'],
    [{ name: 'a.internal', port: 80, family: 5 }, 'family'],
    [{ name: 'a.internal', port: 80, servers: ['not an address'] }, 'servers'],
    [{ name: 'a.internal', port: 80, servers: [] }, 'servers'],
    [{ name: 'a.internal', port: 80, minInterval: 10_000, maxInterval: 5_000 }, 'maxInterval'],
    [{ name: 'a.internal', port: 80, minInterval: -1 }, 'minInterval'],
    [{ name: 'a.internal', port: 80, interval: 1_000 }, 'interval'],
    [{ name: 'a.internal', port: 80, tries: 0 }, 'tries'],
    [{ name: 'a.internal', port: 80, protocol: 'ht tp' }, 'protocol'],
    [{ name: 'a.internal', port: 80, weight: 0 }, 'weight'],
    [{ name: 'a.internal', port: 80, backoff: { min: 0 } }, 'backoff.min'],
    [{ name: 'a.internal', port: 80, backoff: { min: 500, max: 100 } }, 'backoff.max'],
    [{ name: 'a.internal', port: 80, basePath: '/api?token=hunter2' }, 'basePath'],
  ];
  it.each(bad)('%j → ConfigError at %s', (options, path) => {
    let caught: unknown;
    try {
      dnsDiscovery(options as never);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).path).toBe(path);
    expect((caught as ConfigError).message).toMatch(/^dnsDiscovery: /);
    expect((caught as ConfigError).message).not.toContain('hunter2');
  });
});

describe('SRV records to endpoints', () => {
  it('drops unusable records with the reason', () => {
    const { usable, rejected } = checkSrv([
      { name: 'a.internal.', port: 8080, priority: 10, weight: 5 },
      { name: 'zero.internal', port: 0, priority: 10, weight: 5 },
      { name: '', port: 80, priority: 0, weight: 0 },
      { name: 'bad name', port: 80, priority: 0, weight: 0 },
      { name: 'b.internal', port: 80, priority: 70_000, weight: 0 },
      { name: '10.0.0.7', port: 80, priority: 0, weight: 0 },
      { name: 'fd00::7', port: 80, priority: 0, weight: 0 },
    ]);
    expect(usable.map((r) => r.target)).toEqual(['a.internal', '10.0.0.7', 'fd00::7']);
    expect(rejected.map((r) => r.reason)).toEqual([
      'SRV port 0 is not a usable port (1–65535)',
      'SRV target "." means the service is not available at this name',
      'SRV target is not a DNS name',
      'SRV priority 70000 is outside 0–65535',
    ]);
  });

  it('weight 0 is a hundredth of the smallest other weight, or 1 when all are 0 (RFC 2782)', () => {
    expect(srvWeights([10, 0, 30])).toEqual([10, 0.1, 30]);
    expect(srvWeights([0, 0])).toEqual([1, 1]);
    expect(srvWeights([65_535])).toEqual([65_535]);
  });

  it('priorities become 0-based levels in order, a target shares its weight among its addresses', () => {
    const rec = (target: string, port: number, priority: number, weight: number) => ({ record: { name: target, target, port, priority, weight }, addresses: [] as string[] });
    const endpoints = srvEndpoints('_h._tcp.s', [
      { ...rec('c.internal', 80, 300, 0), addresses: ['10.0.0.3'] },
      { ...rec('a.internal', 80, 10, 40), addresses: ['10.0.0.2', '10.0.0.1'] },
      { ...rec('b.internal', 81, 10, 0), addresses: ['10.0.0.9'] },
      { ...rec('gone.internal', 80, 5, 1), addresses: [] }, // no addresses: no level
    ], shape);
    expect(endpoints).toEqual([
      { host: '10.0.0.1', port: 80, protocol: 'http', basePath: '', priority: 0, weight: 20, metadata: { hostname: 'a.internal', srv: '_h._tcp.s' } },
      { host: '10.0.0.2', port: 80, protocol: 'http', basePath: '', priority: 0, weight: 20, metadata: { hostname: 'a.internal', srv: '_h._tcp.s' } },
      { host: '10.0.0.9', port: 81, protocol: 'http', basePath: '', priority: 0, weight: 0.4, metadata: { hostname: 'b.internal', srv: '_h._tcp.s' } },
      { host: '10.0.0.3', port: 80, protocol: 'http', basePath: '', priority: 1, weight: 1, metadata: { hostname: 'c.internal', srv: '_h._tcp.s' } },
    ]);
  });

  it('the same addresses in another order are the same list', () => {
    const a = nameEndpoints('api.internal', ['10.0.0.2', '10.0.0.1', '::1'], 8080, 1, shape);
    const b = nameEndpoints('api.internal', ['::1', '10.0.0.1', '10.0.0.2'], 8080, 1, shape);
    expect(a).toEqual(b);
    expect(a[0]).toEqual({ host: '10.0.0.1', port: 8080, weight: 1, protocol: 'http', basePath: '', metadata: { hostname: 'api.internal' } });
  });
});

describe('what the discovery adapters share', () => {
  it('rejectOnce reports a rejection once while it stays, again after it was gone', () => {
    const heard: string[] = [];
    const r = rejectOnce((entry, reason) => heard.push(`${JSON.stringify(entry)} ${reason}`));
    r.report([{ entry: { id: 'a' }, reason: 'bad port' }, { entry: { id: 'b' }, reason: 'bad host' }]);
    r.report([{ entry: { id: 'a' }, reason: 'bad port' }, { entry: { id: 'b' }, reason: 'bad host' }]);
    expect(heard).toHaveLength(2);
    r.report([{ entry: { id: 'a' }, reason: 'bad port' }]); // b gone
    r.report([{ entry: { id: 'a' }, reason: 'bad port' }, { entry: { id: 'b' }, reason: 'bad host' }]); // b back
    r.report([{ entry: { id: 'a' }, reason: 'port 0' }]); // a changed
    expect(heard).toEqual(['{"id":"a"} bad port', '{"id":"b"} bad host', '{"id":"b"} bad host', '{"id":"a"} port 0']);
    // A failed refresh adds to what is remembered rather than replacing it.
    r.report([{ entry: { id: 'c' }, reason: 'x' }], false);
    r.report([{ entry: { id: 'a' }, reason: 'port 0' }, { entry: { id: 'c' }, reason: 'x' }]);
    expect(heard).toHaveLength(5);
  });

  it('rejectOnce stays bounded however many failed refreshes bring new bad records', () => {
    let heard = 0;
    const r = rejectOnce(() => heard++);
    for (let i = 0; i < 30_000; i++) r.report([{ entry: { address: `bad-${i}` }, reason: 'not an IP address' }], false);
    expect(heard).toBe(30_000);
    expect(r.size).toBeLessThanOrEqual(MAX_REMEMBERED_REJECTIONS);
    // Past the limit it keeps the latest; a complete answer replaces everything.
    r.report([{ entry: { address: 'bad-29999' }, reason: 'not an IP address' }]);
    expect(heard).toBe(30_000);
    expect(r.size).toBe(1);
  });

  it('rejectOnce reports an entry that cannot be written as JSON every time', () => {
    let heard = 0;
    const r = rejectOnce(() => heard++);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    r.report([{ entry: loop, reason: 'x' }]);
    r.report([{ entry: loop, reason: 'x' }]);
    expect(heard).toBe(2);
  });

  it('loopDiscovery reports a crash of the loop through error, and stop aborts and awaits the loop', async () => {
    const errors: unknown[] = [];
    const crash = loopDiscovery(async () => {
      await Promise.resolve();
      throw new Error('loop bug');
    });
    const stopCrash = stopFunction(crash.watch(() => {}, (e) => errors.push(e), () => {}));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toEqual([new Error('loop bug')]);
    await stopCrash();

    let ended = false;
    let seen: AbortSignal | undefined;
    const quiet = loopDiscovery(async ({ signal }) => {
      seen = signal;
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      ended = true;
      throw new Error('thrown after stop: nobody hears it');
    });
    const stop = stopFunction(quiet.watch(() => {}, (e) => errors.push(e), () => {}));
    expect(seen?.aborted).toBe(false);
    await stop();
    expect(seen?.aborted).toBe(true);
    expect(ended).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('loopDiscovery: an error listener that throws does not make stop reject', async () => {
    const d = loopDiscovery(async () => {
      throw new Error('loop bug');
    });
    const stop = stopFunction(d.watch(() => {}, () => { throw new Error('listener bug'); }, () => {}));
    await expect(stop()).resolves.toBeUndefined();
  });
});
