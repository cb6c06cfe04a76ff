// Every error bulwark raises for a call, a discovery adapter or a discovery update extends
// BulwarkError, with a stable `code` and a `service` (README, "Errors").
import { describe, expect, it } from 'vitest';
import { BulwarkError, createClient, DiscoveryError, DnsNoRecordsError, type Discovery, type EndpointInit } from '../../src/index.js';
import { ZookeeperError } from '../../src/zookeeper/index.js';

/** A discovery that pushes `entries` once and records nothing else. */
function pushing(entries: EndpointInit[]): Discovery {
  return { watch: (update) => { update(entries); return () => {}; } };
}

async function discoveryErrorOf(entries: EndpointInit[]): Promise<unknown> {
  const client = createClient({ name: 'users', discovery: pushing(entries) });
  const errors: unknown[] = [];
  client.on('discoveryError', ({ error }) => errors.push(error));
  await new Promise((resolve) => setImmediate(resolve));
  await client.close();
  expect(errors).toHaveLength(1);
  return errors[0];
}

describe('error classes', () => {
  it('an update without a valid endpoint is a DiscoveryError of the client', async () => {
    const error = await discoveryErrorOf(['not a url', 'http://:0']);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error).toMatchObject({ code: 'ERR_BULWARK_DISCOVERY', service: 'users', name: 'DiscoveryError' });
    expect((error as Error).message).toMatch(/^users: discovery update had 2 entries and none was a valid endpoint/);
  });

  it('an update whose entries cannot be read is a DiscoveryError with the cause', async () => {
    const boom = new Error('iterator threw');
    const error = await discoveryErrorOf(new Proxy(['http://127.0.0.1:1'], { get: () => { throw boom; } }));
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({ code: 'ERR_BULWARK_DISCOVERY', service: 'users', cause: boom });
  });

  it('DnsNoRecordsError is a BulwarkError keeping the DNS code, for the name queried', () => {
    const error = new DnsNoRecordsError('users.internal', 'no A records', 'ENODATA');
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error).toMatchObject({ name: 'DnsNoRecordsError', code: 'ENODATA', service: 'users.internal', hostname: 'users.internal' });
  });

  it('ZookeeperError is a BulwarkError keeping ZooKeeper\'s code, for the znode', () => {
    const error = new ZookeeperError('CONNECTION_LOSS', 'lost the connection', '/services/users');
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error).toMatchObject({ name: 'ZookeeperError', code: 'CONNECTION_LOSS', service: '/services/users', path: '/services/users' });
    expect(new ZookeeperError('NOT_CONNECTED', 'stopped', '')).toMatchObject({ service: 'zookeeper' });
  });
});

describe('adapter errors', () => {
  it('EtcdError is a BulwarkError for the prefix or key it is about', async () => {
    const { EtcdError } = await import('../../src/etcd/index.js');
    const cause = new Error('unavailable');
    const error = new EtcdError('services/users/', 'etcd discovery of prefix "services/users/": unavailable', { cause });
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error).toMatchObject({ name: 'EtcdError', code: 'ERR_BULWARK_ETCD', service: 'services/users/', cause });
  });
});
