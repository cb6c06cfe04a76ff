// bulwark/etcd's pure parts: the record a registration writes, key ranges, option checks.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { prefixEnd } from '../../src/etcd/follow.js';
import { checkBackoff, checkClient, keyName } from '../../src/etcd/options.js';
import { endpointKey, toRecordText } from '../../src/etcd/record.js';
import { checkSourceBackoff, parseRecord, recordToEndpoint } from '../../src/discovery/support.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery, eurekaRegistration } from '../../src/eureka/index.js';
import { zookeeperDiscovery, zookeeperRegistration } from '../../src/zookeeper/index.js';
import { dnsDiscovery } from '../../src/discovery/dns.js';

describe('etcd records and keys', () => {
  it('writes the record with defaults left out, and reads it back to the same endpoint', () => {
    expect(toRecordText('s', 'endpoint', '10.0.0.1:8080').text).toBe('{"host":"10.0.0.1","port":8080}');
    const full = { host: '10.0.0.1', port: 8443, protocol: 'https', weight: 2, priority: 1, zone: 'eu-1', metadata: { v: '1' }, basePath: '/api' };
    const { text } = toRecordText('s', 'endpoint', full);
    expect(JSON.parse(text)).toEqual(full);
    expect(recordToEndpoint(parseRecord(text) as Record<string, unknown>)).toEqual(full);
    expect(JSON.parse(toRecordText('s', 'endpoint', 'https://[::1]:9000/x').text)).toEqual({ host: '::1', port: 9000, protocol: 'https', basePath: '/x' });
  });

  it('refuses invalid endpoints and credentials with a ConfigError that holds no secret', () => {
    expect(() => toRecordText('s', 'endpoint', { host: 'a b', port: 1 })).toThrow(ConfigError);
    expect(() => toRecordText('s', 'endpoint', { host: 'h', port: 0 })).toThrow(/endpoint\.port/);
    expect(() => toRecordText('s', 'endpoint', { host: 'h', port: 1, metadata: { n: 1 } })).toThrow(/endpoint\.metadata\.n/);
    const err = (() => { try { toRecordText('s', 'endpoint', 'http://u:hunter2@h:1'); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(/must not hold credentials/);
    expect(JSON.stringify(err) + String(err) + JSON.stringify((err as ConfigError).value)).not.toContain('hunter2');
  });

  it('names instances host:port, IPv6 in brackets', () => {
    expect(endpointKey({ host: '10.0.0.1', port: 80 } as never)).toBe('10.0.0.1:80');
    expect(endpointKey({ host: 'fe80::1', port: 80 } as never)).toBe('[fe80::1]:80');
  });

  it('computes the end of a prefix range as etcd does', () => {
    expect(prefixEnd(Buffer.from('services/a/')).toString()).toBe('services/a0');
    expect([...prefixEnd(Buffer.from([0x61, 0xff, 0xff]))]).toEqual([0x62]);
    expect([...prefixEnd(Buffer.from([0xff]))]).toEqual([0]);
  });

  it('checks the client and the backoff, and cuts long keys in events', () => {
    expect(() => checkClient('s', { get() {} })).toThrow(/client must be an etcd3 client/);
    expect(() => checkClient('s', 'http://user:pw@etcd:2379')).toThrow(ConfigError);
    expect(checkBackoff('s', undefined)).toEqual({ min: 1_000, max: 30_000 });
    expect(checkBackoff('s', { min: 50 })).toEqual({ min: 50, max: 30_000 });
    expect(() => checkBackoff('s', { min: -1 })).toThrow(/backoff.min/);
    expect(() => checkBackoff('s', 5)).toThrow(/backoff must be an object/);
    expect(keyName('k'.repeat(300))).toHaveLength(257);
  });

  it('every adapter checks backoff the same way, with the same words', () => {
    const client = (): never => { throw new Error('not called'); };
    const adapters: [string, (backoff: unknown) => unknown][] = [
      ['etcd', (b) => checkBackoff('x', b)],
      ['consulDiscovery', (b) => consulDiscovery({ service: 'web', backoff: b as never })],
      ['eurekaDiscovery', (b) => eurekaDiscovery({ url: 'http://eureka/eureka', app: 'a', backoff: b as never })],
      ['eurekaRegistration', (b) => eurekaRegistration({ url: 'http://eureka/eureka', app: 'a', instance: { hostName: 'h', ipAddr: '127.0.0.1', port: 80 }, backoff: b as never })],
      ['zookeeperDiscovery', (b) => zookeeperDiscovery({ client, path: '/a', backoff: b as never })],
      ['zookeeperRegistration', (b) => zookeeperRegistration({ client, path: '/a', instance: { host: 'h', port: 80 }, backoff: b as never })],
      ['dnsDiscovery', (b) => dnsDiscovery({ name: 'a.internal', port: 80, backoff: b as never })],
    ];
    const cases: [unknown, string, string][] = [
      [{ min: 5_000, max: 1_000 }, 'backoff.max', 'backoff.max must be ≥ backoff.min (5000), got 1000'],
      [{ min: 0 }, 'backoff.min', 'backoff.min must be a number of ms from 1 to 2147483647, got 0'],
      [{ max: Number.NaN }, 'backoff.max', 'backoff.max must be a number of ms from 1 to 2147483647'],
      [5, 'backoff', 'backoff must be an object { min?, max? } of ms, got 5'],
    ];
    for (const [name, make] of adapters) {
      for (const [backoff, path, text] of cases) {
        let caught: unknown;
        try {
          make(backoff);
        } catch (err) {
          caught = err;
        }
        expect(caught, `${name} ${JSON.stringify(backoff)}`).toBeInstanceOf(ConfigError);
        expect((caught as ConfigError).path).toBe(path);
        expect((caught as ConfigError).message).toContain(text);
      }
    }
    // A delay left out follows the one given, else the defaults.
    expect(checkSourceBackoff('x', { max: 500 })).toEqual({ min: 500, max: 500 });
    expect(checkSourceBackoff('x', { min: 60_000 })).toEqual({ min: 60_000, max: 60_000 });
    expect(checkSourceBackoff('x', {})).toEqual({ min: 1_000, max: 30_000 });
  });
});
