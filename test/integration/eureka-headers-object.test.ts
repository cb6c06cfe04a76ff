// eurekaDiscovery's `headers` given as a `Headers` (what fetch takes, and what code that builds
// an Authorization header often has) was accepted and then sent nothing: it was read with
// Object.entries, which sees none of a Headers' entries, so the credentials went missing
// without a word and the secured server answered 401. It is now read as a Headers; an array of
// pairs is a ConfigError.
import { expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

it('sends the headers of a Headers object', async () => {
  const server = await startEurekaServer();
  defer(() => server.close());
  server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
  const headers = new Headers({ Authorization: 'Basic c2VjcmV0OnBhc3N3b3Jk' });
  const client = track(createClient({ name: 'orders', discovery: eurekaDiscovery({ url: server.url, app: 'orders', interval: 20, headers }) }));
  await until(() => client.endpoints().length === 1);
  expect(server.requests[0]!.headers.authorization).toBe('Basic c2VjcmV0OnBhc3N3b3Jk');
});

it('refuses an array of header pairs with a ConfigError naming headers', () => {
  expect(() => eurekaDiscovery({ url: 'http://127.0.0.1:1/eureka', app: 'orders', headers: [['authorization', 'x']] as never })).toThrow(ConfigError);
});
