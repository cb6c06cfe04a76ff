// What broke: error messages named a thrown value with String(thrown). For a value String()
// cannot convert (an object without a prototype, a throwing toString), a user's ZooKeeper
// `client` function that threw one made the adapter throw a TypeError instead of its
// ZookeeperError (the discoveryError lost the thrown value as cause).
import { describe, expect, it } from 'vitest';
import { BulwarkError, createClient } from '../../src/index.js';
import { messageOf } from '../../src/message-of.js';
import { zookeeperDiscovery, type ZookeeperError } from '../../src/zookeeper/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { events } from '../helpers/zookeeper-fixture.js';

describe('messageOf', () => {
  it("says an Error's message, or the value as text", () => {
    expect(messageOf(new TypeError('bad'))).toBe('bad');
    expect(messageOf('down')).toBe('down');
    expect(messageOf(7)).toBe('7');
    expect(messageOf(undefined)).toBe('undefined');
    expect(messageOf(Symbol('s'))).toBe('Symbol(s)');
  });

  it('never throws, whatever was thrown', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const badMessage = new Error('x');
    Object.defineProperty(badMessage, 'message', { get: () => { throw new Error('no'); } });
    for (const value of [Object.create(null), { toString: () => { throw new Error('no'); } }, revoked.proxy, badMessage]) {
      expect(messageOf(value)).toMatch(/^a thrown (object|function) that cannot be shown as text$/);
    }
  });
});

describe('a ZooKeeper client function that throws a value without a prototype', () => {
  const { track } = closeAfterEach();

  it('is reported as a ZookeeperError with the value as its cause', async () => {
    const thrown: unknown = Object.create(null);
    const client = track(createClient({
      name: 'users',
      discovery: zookeeperDiscovery({ client: () => { throw thrown; }, path: '/services/users', backoff: { min: 50, max: 50 } }),
    }));
    const errors = events(client, 'discoveryError');
    await until(() => errors.length > 0, 5_000);
    const error = errors[0]!.error as ZookeeperError;
    expect(error).toBeInstanceOf(BulwarkError);
    expect(error.code).toBe('CLIENT_ERROR');
    expect(error.cause).toBe(thrown);
    expect(error.message).toContain('the `client` function threw: a thrown object that cannot be shown as text');
  });
});
