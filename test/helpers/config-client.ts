import { afterEach, expect } from 'vitest';
import { ConfigError, createClient, type Client, type ClientOptions } from '../../src/index.js';
import { FakeClock } from './fake-clock.js';

/** A name and two endpoints: the least a client needs. */
export const BASE = { name: 'svc', discovery: ['127.0.0.1:8080', '127.0.0.2:8080'] };

/**
 * A factory of clients on a fake clock over {@link BASE}, closed after each test of the file
 * that calls this (at its top level).
 */
export function fakeClockClients(): (options?: Partial<ClientOptions>) => Client {
  const clients: Client[] = [];
  afterEach(async () => {
    while (clients.length > 0) await clients.pop()!.close();
  });
  return (options = {}) => {
    const c = createClient({ ...BASE, clock: new FakeClock(), ...options });
    clients.push(c);
    return c;
  };
}

/** The `ConfigError` that `fn` throws (the test fails if it throws nothing or something else). */
export function thrownConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('did not throw');
}
