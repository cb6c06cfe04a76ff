// What broke: a ConfigSource that reports a failure without a reason (error(undefined), e.g. `.then(update, error)` on a read rejected with none) makes configRejected carry `error: undefined`, so a listener that reads `error.message` throws an uncaught TypeError, while discovery wraps the same report in a DiscoveryError.
// README, "Events": configRejected's `error` is "a ConfigError naming the key ..., or its source
// failed"; client.ts turns the equivalent discovery report into a DiscoveryError ("a failure
// reported without a reason ... is still one"). The config path passes `undefined` on as it is.
import { afterEach, expect, it } from 'vitest';
import { ConfigError, createClient, type Client } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

it.each([undefined, null])('a source failure reported without a reason (%s) reaches configRejected as a ConfigError', (reason) => {
  const client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'], clock: new FakeClock() });
  clients.push(client);
  const seen: unknown[] = [];
  client.on('configRejected', ({ error }) => seen.push(error));
  // The ConfigSource JSDoc's own pattern: readFile(...).then(parse).then(update, error), with a rejection that carries no reason.
  client.watchConfig({
    watch(_update, error) {
      error(reason);
      return () => {};
    },
  });
  expect(seen).toHaveLength(1);
  expect(seen[0]).toBeInstanceOf(ConfigError);
  expect((seen[0] as Error).message).toBe(`users: watchConfig source reported an error without a reason (error(${String(reason)})), got ${reason === undefined ? 'undefined' : 'null'}`);
});
