// A live document's keys are checked as createClient's are, at every level (README, "Live
// configuration"). An own `__proto__` key (JSON.parse makes them) became the read copy's
// prototype: hidden from the key check, while what it held was applied as options.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client, type ConfigSource } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function client(): Client {
  const c = createClient({ name: 'svc', discovery: ['127.0.0.1:1', '127.0.0.2:1'], clock: new FakeClock(), health: false, retry: { backoff: { base: 0, cap: 0 } } });
  clients.push(c);
  return c;
}

/** How many attempts a call that always fails gets. */
async function attemptsOfFailingCall(c: Client): Promise<number> {
  let n = 0;
  await c.execute(() => { n++; throw new Error('down'); }).catch(() => {});
  return n;
}

describe('a "__proto__" key in a live document (as JSON.parse makes it)', () => {
  it('at the top level: reconfigure refuses it, as createClient does, and changes nothing', async () => {
    // The control: createClient refuses the same key as an unknown option.
    expect(() => createClient(JSON.parse('{"name":"svc","discovery":["127.0.0.1:1"],"__proto__":{"retry":false}}'))).toThrow(ConfigError);
    const c = client();
    expect(await attemptsOfFailingCall(c)).toBe(3);
    let error: unknown;
    try {
      c.reconfigure(JSON.parse('{"__proto__":{"retry":false}}'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    // Nothing changed: still 3 attempts (the document actually turned retries off).
    expect(await attemptsOfFailingCall(c)).toBe(3);
  });

  it('nested (retry.__proto__.attempts): reconfigure refuses it rather than applying what it hides', async () => {
    const c = client();
    let error: unknown;
    try {
      c.reconfigure(JSON.parse('{"retry":{"backoff":{"base":0,"cap":0},"__proto__":{"attempts":1}}}'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(await attemptsOfFailingCall(c)).toBe(3);
  });

  it('from a watchConfig source that parses JSON: configRejected, not configChanged', async () => {
    const c = client();
    const seen: string[] = [];
    c.on('configChanged', () => seen.push('changed'));
    c.on('configRejected', () => seen.push('rejected'));
    const source: ConfigSource = {
      watch(update) {
        queueMicrotask(() => update(JSON.parse('{"__proto__":{"retry":false}}')));
        return () => {};
      },
    };
    c.watchConfig(source);
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['rejected']);
    expect(await attemptsOfFailingCall(c)).toBe(3);
  });
});
