// The record formats bulwark/zookeeper reads and writes, without a server (the real-server
// tests in test/integration/zookeeper.test.ts read them from ZooKeeper).
import { describe, expect, it } from 'vitest';
import { detect, readRecord, writeRecord, type ReadOptions } from '../../src/zookeeper/formats.js';

const read = (record: Record<string, unknown>, options: Partial<ReadOptions> = {}) =>
  readRecord(record, { format: 'auto', protocol: 'http', tls: 'prefer', endpointName: undefined, ...options });

describe('zookeeper record formats', () => {
  it('tells the formats apart by their fields', () => {
    expect(detect({ serviceEndpoint: {}, status: 'ALIVE' })).toBe('serverset');
    expect(detect({ address: 'h', port: 1 })).toBe('curator');
    expect(detect({ address: 'h', sslPort: 1 })).toBe('curator');
    expect(detect({ host: 'h', port: 1 })).toBe('bulwark');
    expect(detect({ ip: 'h' })).toBeUndefined();
  });

  it('reads Curator instances: sslPort as https by the tls option, enabled: false skipped, payload strings as metadata', () => {
    const both = { name: 'users', id: 'i-1', address: '10.0.0.1', port: 80, sslPort: 443, payload: { '@class': 'A', metadata: { instance_status: 'UP' }, region: 'eu' }, serviceType: 'DYNAMIC' };
    expect(read(both)).toEqual({ host: '10.0.0.1', port: 443, protocol: 'https', metadata: { id: 'i-1', name: 'users', serviceType: 'DYNAMIC', region: 'eu', instance_status: 'UP' } });
    expect(read(both, { tls: 'never' })).toMatchObject({ port: 80, protocol: 'http' });
    expect(read({ address: 'h', port: 80 }, { tls: 'only' })).toMatch(/sslPort/);
    expect(read({ address: 'h', port: 80, sslPort: null }, { tls: 'never', protocol: 'h2c' })).toMatchObject({ protocol: 'h2c' });
    expect(read({ address: 'h', port: 80, payload: 'text' })).toMatchObject({ metadata: { payload: 'text' } });
    expect(read({ address: 'h', port: 80, enabled: false })).toBeNull();
    expect(read({ address: 'h', port: 0 })).toMatch(/port/);
    expect(read({ address: 'h', port: null, sslPort: null })).toMatch(/"port" or an "sslPort"/);
    expect(read({ address: '', port: 1 })).toMatch(/address/);
  });

  it('reads serverset members: ALIVE only, a named additional endpoint, shard as metadata', () => {
    const member = { serviceEndpoint: { host: 'a', port: 1 }, additionalEndpoints: { http: { host: 'b', port: 2 } }, status: 'ALIVE', shard: 7 };
    expect(read(member)).toEqual({ host: 'a', port: 1, protocol: 'http', metadata: { shard: '7' } });
    expect(read(member, { endpointName: 'http' })).toMatchObject({ host: 'b', port: 2 });
    expect(read(member, { endpointName: 'thrift' })).toMatch(/no additional endpoint "thrift"/);
    expect(read(member, { endpointName: 'hasOwnProperty' })).toMatch(/no additional endpoint/);
    expect(read({ ...member, status: 'STOPPING' })).toBeNull();
    expect(read({ ...member, status: undefined })).toMatch(/status/);
    expect(read({ ...member, serviceEndpoint: { host: 'a', port: 65_536 } })).toMatch(/port/);
    expect(read({ ...member, serviceEndpoint: 'a:1' })).toMatch(/object/);
  });

  it('reads bulwark records, and a fixed format rejects records of another', () => {
    expect(read({ host: 'h', port: 1, zone: 'z', weight: 2, metadata: { a: 'b', n: 1 } })).toEqual({ host: 'h', port: 1, zone: 'z', weight: 2, metadata: { a: 'b' } });
    expect(read({ host: 'h', port: 1 }, { format: 'curator' })).toMatch(/address/);
    expect(read({ address: 'h', port: 1 }, { format: 'bulwark' })).toMatch(/host/);
  });

  it('writes records that read back as the same endpoint', () => {
    const instance = { host: '10.0.0.2', port: 8443, protocol: 'https', zone: 'eu-1', payload: { v: '2' }, shard: 1 };
    const curator = JSON.parse(writeRecord(instance, 'curator', 'id-1', 'users', false, 1_700_000_000_000)) as Record<string, unknown>;
    expect(curator).toEqual({ name: 'users', id: 'id-1', address: '10.0.0.2', port: null, sslPort: 8443, payload: { v: '2' }, registrationTimeUTC: 1_700_000_000_000, serviceType: 'DYNAMIC', uriSpec: null, enabled: true });
    expect(read(curator)).toMatchObject({ host: '10.0.0.2', port: 8443, protocol: 'https', metadata: { v: '2', id: 'id-1' } });
    const serverset = JSON.parse(writeRecord(instance, 'serverset', 'member_', 'users', true, 0)) as Record<string, unknown>;
    expect(serverset).toEqual({ serviceEndpoint: { host: '10.0.0.2', port: 8443 }, additionalEndpoints: {}, status: 'ALIVE', shard: 1 });
    const own = JSON.parse(writeRecord(instance, 'bulwark', 'n', 'users', false, 0)) as Record<string, unknown>;
    expect(read(own)).toEqual({ host: '10.0.0.2', port: 8443, protocol: 'https', zone: 'eu-1' });
  });
});
