// What broke: a Promise (a forgotten await), Map or class instance as an option object was read as {} or gave a confusing message.
// Forgetting `await` where options come from an async loader (`retry: loadRetryPolicy()`,
// `discovery: loadHosts()`, `createClient(loadOptions())`). README ("Options"): createClient
// "validates everything at once and throws ConfigError naming the option"; README ("Live
// configuration") refuses a Promise, a Map or a class instance as a document "rather than read
// as {}, which would undo every live change" — the same hazard. createClient and execute read a
// Promise (or a Map) given as an option object as `{}`: the option silently keeps its defaults.
// Where a Promise is refused, the message shows `got {}` and never says "Promise".
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client } from '../../src/index.js';
import { thrownConfigError } from '../helpers/config-client.js';

const BASE = { name: 'users', discovery: ['127.0.0.1:8080'] };
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

describe('a Promise (a forgotten await) or a Map given as an option object', () => {
  for (const [key, value] of [
    ['timeout', Promise.resolve({ total: 500 })],
    ['retry', Promise.resolve({ attempts: 1 })],
    ['health', Promise.resolve({ ejectionTime: 1_000 })],
    ['retry', new Map([['attempts', 1]])],
  ] as const) {
    it(`createClient({ ${key}: ${value instanceof Promise ? 'Promise' : 'Map'} }) throws ConfigError at ${key}, not read as {}`, () => {
      let error: unknown;
      try {
        client = createClient({ ...BASE, [key]: value } as never);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe(key);
      // Says what it got: a Promise as a forgotten await, a Map by its name; never `got {}`.
      expect((error as Error).message).toMatch(value instanceof Promise ? /a Promise: a forgotten await\?/ : /not a Map/);
      expect((error as Error).message).not.toMatch(/got \{\}/);
    });
  }

  it('a nested option object (retry.backoff) or a class instance is refused at its path too', () => {
    class Timeouts { total = 500; }
    expect(thrownConfigError(() => createClient({ ...BASE, retry: { backoff: Promise.resolve({ base: 1 }) } } as never)).path).toBe('retry.backoff');
    expect(thrownConfigError(() => createClient({ ...BASE, timeout: new Timeouts() } as never)).path).toBe('timeout');
    // Plain objects, including ones without a prototype (JSON-like), are still taken.
    client = createClient({ ...BASE, timeout: Object.assign(Object.create(null) as object, { total: 500 }) } as never);
    expect(client.stats().name).toBe(BASE.name);
  });

  it('a per-call option object given as a Promise (execute(fn, { timeout: promise })) rejects with ConfigError at its path', async () => {
    client = createClient(BASE);
    let ran = false;
    const result = await client.execute(() => { ran = true; return 1; }, { timeout: Promise.resolve({ total: 5 }) } as never).then((v) => v, (e: unknown) => e);
    expect(result).toBeInstanceOf(ConfigError);
    expect((result as ConfigError).path).toBe('timeout');
    expect(ran).toBe(false);
  });

  it('fetch(path, Promise) rejects with a TypeError that names init and says it is a Promise', async () => {
    client = createClient(BASE);
    const result = await client.fetch('/x', Promise.resolve({ method: 'POST' }) as never).then((v) => v, (e: unknown) => e);
    expect(result).toBeInstanceOf(TypeError);
    expect((result as Error).message).toMatch(/client\.fetch: init .*a Promise: a forgotten await\?/);
  });

  it('execute(fn, Promise) rejects with ConfigError instead of running with defaults', async () => {
    client = createClient(BASE);
    let ran = false;
    const result = await client.execute(() => { ran = true; return 1; }, Promise.resolve({ timeout: { total: 5 } }) as never).then((v) => v, (e: unknown) => e);
    expect(result).toBeInstanceOf(ConfigError);
    expect((result as ConfigError).path).toBe('options');
    expect((result as Error).message).toMatch(/a Promise: a forgotten await\?/);
    expect(ran).toBe(false);
  });

  it('discovery: Promise is refused with a message that says it is a Promise', () => {
    const err = thrownConfigError(() => createClient({ name: 'users', discovery: Promise.resolve(['127.0.0.1:8080']) as never }));
    expect(err.path).toBe('discovery');
    expect(err.message).toMatch(/a Promise: a forgotten await\?/);
  });

  it('createClient(Promise) is refused with a message about the options being a Promise, not about name', () => {
    const err = thrownConfigError(() => createClient(Promise.resolve(BASE) as never));
    expect(err.path).toBe('options');
    expect(err.message).toMatch(/a Promise: a forgotten await\?/);
  });
});
