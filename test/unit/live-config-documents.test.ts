// Live configuration documents: edge cases (reconfigure / watchConfig) on a fake clock.
import { ConsecutiveBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { healthClients, refusedOn } from '../helpers/health-client.js';

const setup = healthClients();

describe('reconfigure: health numbers', () => {
  it("a health number given as undefined falls back to createClient's value, as a top-level key does", async () => {
    const { client, events } = setup({ health: { ejectionTime: 60_000, breaker: () => new ConsecutiveBreaker(1) } });
    client.reconfigure({ health: { ejectionTime: undefined, probes: 2 } });
    await client.execute(refusedOn('10.0.0.1'));
    expect(events.map((e) => [e.status, e.ejectedFor])).toEqual([['ejected', 60_000]]);
  });
});

describe('reconfigure: a document that cannot be read', () => {
  const hostile: [string, () => unknown][] = [
    ['a Proxy whose keys throw', () => new Proxy({}, { ownKeys() { throw new Error('boom'); } })],
    ['a top-level getter that throws', () => ({ get retry(): never { throw new Error('getter'); } })],
    ['a nested getter that throws', () => ({ retry: { get attempts(): never { throw new Error('nested getter'); } } })],
  ];
  for (const [what, make] of hostile) {
    it(`${what}: refused with ConfigError (path config), the configuration kept`, async () => {
      const { client } = setup({ retry: { attempts: 2, backoff: { base: 0, cap: 0 }, budget: false } });
      const thrown = (() => { try { client.reconfigure(make() as never); } catch (err) { return err; } return undefined; })();
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).path).toBe('config');
      // From a source: configRejected with the same kind of error, nothing thrown into the source.
      const rejected: unknown[] = [];
      client.on('configRejected', (e) => rejected.push(e.error));
      let push!: (d: unknown) => void;
      client.watchConfig({ watch(update) { push = update; return () => {}; } });
      expect(() => push(make())).not.toThrow();
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toBeInstanceOf(ConfigError);
      // Still 2 attempts.
      let n = 0;
      await expect(client.execute(async () => { if (++n === 1) throw new Error('once'); return 'ok'; })).resolves.toBe('ok');
      expect(n).toBe(2);
    });
  }
});
