// What broke (README, "Live configuration": "An invalid document throws `ConfigError` from
// `reconfigure`, or emits `configRejected` from `watchConfig`; either way nothing changes", and
// a document is "checked exactly as createClient's options"; found by the live-configuration
// review):
// - a document unreadable at its top (a revoked Proxy, a Proxy whose getPrototypeOf trap throws)
//   threw the raw TypeError or the trap's error, not a ConfigError;
// - a huge sparse array (`new Array(2 ** 29)`) was copied whole before it was refused: 10 s of a
//   blocked event loop, where createClient refuses it at once.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client } from '../../src/index.js';
import { thrownConfigError } from '../helpers/config-client.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function client(options: Record<string, unknown> = {}): Client {
  const c = createClient({ name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'], clock: new FakeClock(), health: false, ...options });
  clients.push(c);
  return c;
}

describe('a document that cannot be read at its top', () => {
  const unreadable: [string, () => object][] = [
    ['a revoked Proxy', () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; }],
    ['a Proxy whose getPrototypeOf trap throws', () => new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } })],
  ];
  for (const [label, make] of unreadable) {
    it(`${label}: reconfigure throws ConfigError at config, and configRejected carries one`, () => {
      const c = client();
      expect(thrownConfigError(() => c.reconfigure(make())).path).toBe('config');
      const rejected: unknown[] = [];
      c.on('configRejected', (e) => rejected.push(e.error));
      c.watchConfig({ watch(update) { update(make()); return () => {}; } });
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toBeInstanceOf(ConfigError);
    });
  }
});

describe('a huge sparse array in a document', () => {
  it('is refused at its first hole at once, without copying its length', () => {
    const c = client();
    const started = performance.now();
    const error = thrownConfigError(() => c.reconfigure({ retry: { statusCodes: new Array(2 ** 29) } }));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error.path).toBe('config.retry.statusCodes[0]');
  });
});
