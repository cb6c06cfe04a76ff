// What broke: ZooKeeper paths with control characters were waited for in silence; session and factory errors did not name the znode (or were not BulwarkErrors).
// zookeeperDiscovery against a real ZooKeeper: a `path` ZooKeeper can never hold (a control
// character: a trailing newline read from a file or an env var) is accepted and waited for in
// silence; errors of the session (not connected, a client factory that throws) do not name the
// znode watched and are not always BulwarkErrors, as README's "Errors" section says they are.
import zookeeper from 'node-zookeeper-client';
import { describe, expect, it } from 'vitest';
import { BulwarkError, ConfigError, createClient } from '../../src/index.js';
import { zookeeperDiscovery, zookeeperRegistration, ZookeeperError } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { bulwark, events, urls, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { zookeeperBinary } from '../helpers/zookeeper-server.js';

describeWith(zookeeperBinary, 'zookeeperDiscovery: paths ZooKeeper refuses, and what its errors name (real ZooKeeper)', () => {
  const { track } = closeAfterEach();
  const fx = useZookeeper();
  const { factory, fresh, mkdirp, put } = fx;

  it('a path with a control character (a trailing newline) is refused with a ConfigError naming `path`, never waited for in silence', async () => {
    const path = fresh();
    await mkdirp(path);
    await put(`${path}/a`, bulwark(1001));
    // ZooKeeper's own client (PathUtils.validatePath) refuses \u0001–\u001F in any path it is given.
    let thrown: unknown;
    try {
      zookeeperDiscovery({ client: factory().make, path: `${path}\n` });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).path).toBe('path');
    expect((thrown as ConfigError).message).toContain('\\n'); // shown escaped, not as a line break
    expect((thrown as ConfigError).message).not.toContain('\n');
  });

  it('a discoveryError for a ZooKeeper that cannot be reached names the znode watched (service and path), as README\'s error table says', async () => {
    const path = '/services/users';
    const client = track(createClient({
      name: 'users',
      discovery: zookeeperDiscovery({ client: () => zookeeper.createClient('127.0.0.1:1', { sessionTimeout: 2_000, spinDelay: 100 }), path, requestTimeout: 300, backoff: { min: 50, max: 50 } }),
    }));
    const errors = events(client, 'discoveryError');
    await until(() => errors.length > 0, 5_000);
    const error = errors[0]!.error as BulwarkError & { path?: string };
    expect(error.code).toBe('NOT_CONNECTED');
    expect(error.service).toBe(path); // today: 'zookeeper'
    expect(error.path).toBe(path); // today: ''
  });

  it('a client function that throws is reported as a ZookeeperError (a BulwarkError) naming the znode, with the thrown error as its cause', async () => {
    const thrown = new Error('no ZooKeeper hosts configured');
    const client = track(createClient({
      name: 'users',
      discovery: zookeeperDiscovery({ client: () => { throw thrown; }, path: '/services/users', backoff: { min: 50, max: 50 } }),
    }));
    const errors = events(client, 'discoveryError');
    await until(() => errors.length > 0, 5_000);
    const error = errors[0]!.error;
    expect(error).toBeInstanceOf(BulwarkError); // today: the bare Error the function threw
    expect((error as BulwarkError).service).toBe('/services/users');
    expect((error as Error).cause).toBe(thrown);
    expect((error as ZookeeperError).code).toBe('CLIENT_ERROR');
    expect((error as ZookeeperError).path).toBe('/services/users');
  });
});

// Option checks and the client factory's shape: no ZooKeeper needed.
describe('znode paths ZooKeeper refuses (PathUtils.validatePath), and client functions that fail', () => {
  const make = (): never => { throw new Error('not called'); };
  const refused = [
    '/a\u0001', '/a\u001f', '/a\u007f', '/a\u0085', '/a\u009f', '/a\ud800', '/a\uf8ff', '/a\ufff0', '/a\uffff', '/a\u0000', '/\u{1F600}',
    '', 'a', '/a/', '//', '/a//b', '/.', '/a/..', '/a/./b',
  ];
  for (const path of refused) {
    it(`path ${JSON.stringify(path)} is refused by discovery and registration with a ConfigError`, () => {
      expect(() => zookeeperDiscovery({ client: make, path })).toThrow(ConfigError);
      expect(() => zookeeperRegistration({ client: make, path, instance: { host: '127.0.0.1', port: 80 } })).toThrow(ConfigError);
    });
  }

  it('a C1 control character is shown escaped in the message', () => {
    expect(() => zookeeperDiscovery({ client: make, path: '/a\u009b[31m' })).toThrow(/U\+009B.*"\/a\\\\u009b\[31m"/);
  });

  for (const path of ['/', '/a', '/a.b', '/...', '/.a/b.', '/services/users-\u00e9', '/a\u00a0b', '/a\uffefb']) {
    it(`path ${JSON.stringify(path)} is accepted`, () => {
      const discovery = zookeeperDiscovery({ client: make, path });
      expect(typeof discovery.watch).toBe('function');
    });
  }

  it('a registration node name with a control character is refused', () => {
    expect(() => zookeeperRegistration({ client: make, path: '/a', node: 'n\n', instance: { host: '127.0.0.1', port: 80 } })).toThrow(ConfigError);
  });

  it('a client function returning an object without connect/close/getSessionTimeout is reported as a CLIENT_ERROR naming the znode', async () => {
    const fake = { getChildren() {}, getData() {}, exists() {}, create() {}, remove() {}, getState: () => ({ code: 0 }), getSessionId: () => Buffer.alloc(8), on() {}, removeListener() {} };
    const client = createClient({ name: 'users', discovery: zookeeperDiscovery({ client: () => fake as never, path: '/services/users', backoff: { min: 50, max: 50 } }) });
    try {
      const errors = events(client, 'discoveryError');
      await until(() => errors.length > 0, 5_000);
      const error = errors[0]!.error as ZookeeperError;
      expect(error).toBeInstanceOf(ZookeeperError);
      expect(error.code).toBe('CLIENT_ERROR');
      expect(error.path).toBe('/services/users');
      expect(error.message).toMatch(/connect, close, getSessionTimeout/);
    } finally {
      await client.close();
    }
  });
});
