// eurekaDiscovery's `headers` given as a Map, or as a Headers of another class than Node's global
// one (undici's, node-fetch's), were read with Object.entries and silently dropped: an
// Authorization went missing without a word. Anything that yields [name, value] pairs is now
// read as such; any other object is a ConfigError.
import { expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { closeAfterEach, until } from '../helpers/lifecycle.js';
import { eurekaInstance, startEurekaServer } from '../helpers/eureka-server.js';

const { track, defer } = closeAfterEach();

it('headers given as a Map are either sent or refused, never silently dropped', async () => {
  const server = await startEurekaServer();
  defer(() => server.close());
  server.put('ORDERS', eurekaInstance('o-1', '10.0.0.1', 8080));
  const headers = new Map([['authorization', 'Basic c2VjcmV0OnBhc3N3b3Jk']]);
  let discovery;
  try {
    discovery = eurekaDiscovery({ url: server.url, app: 'orders', interval: 20, headers: headers as never });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return;
  }
  const client = track(createClient({ name: 'orders', discovery }));
  await until(() => client.endpoints().length === 1);
  expect(server.requests[0]!.headers.authorization).toBe('Basic c2VjcmV0OnBhc3N3b3Jk');
});
