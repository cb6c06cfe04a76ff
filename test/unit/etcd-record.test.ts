// bulwark/etcd's pure parts: the record a registration writes, key ranges, option checks.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { prefixEnd } from '../../src/etcd/follow.js';
import { checkBackoff, checkClient, keyName } from '../../src/etcd/options.js';
import { endpointKey, toRecordText } from '../../src/etcd/record.js';
import { parseRecord, recordToEndpoint } from '../../src/discovery/support.js';

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
});
