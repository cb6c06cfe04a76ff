// What broke: a document that is no plain object (a Promise from a source that forgot to await
// its parse, a Map, a class instance whose options are getters) was read as `{}`, which
// silently laid createClient's options back (retries on again in an incident); and
// createClient's options were kept by reference, so a caller changing the object it passed
// changed what `{}` went back to, or made documents that never mention `retry` fail.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Client, type ClientOptions, type ConfigSource } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function make(options: Partial<ClientOptions> = {}): Client {
  const client = createClient({ name: 'svc', discovery: ['10.0.0.1:80', '10.0.0.2:80'], clock: new FakeClock(), health: false, ...options });
  clients.push(client);
  return client;
}

/** Fails once then answers; counts attempts. */
function flaky(): { fn: () => Promise<string>; attempts: () => number } {
  let n = 0;
  return { fn: async () => { n++; if (n === 1) throw new Error('fail'); return 'ok'; }, attempts: () => n };
}

function manualSource(): ConfigSource & { push(doc: unknown): void } {
  let update: ((d: unknown) => void) | undefined;
  return { watch(u) { update = u; return () => {}; }, push: (doc) => update!(doc) };
}

describe('documents that are not plain objects', () => {
  it('a source that delivers a Promise (a forgotten await) is refused, not applied as {} undoing every live change', async () => {
    const client = make();
    const changed: unknown[] = [];
    const rejected: unknown[] = [];
    client.on('configChanged', (e) => changed.push(e.document));
    client.on('configRejected', (e) => rejected.push(e.error));
    const source = manualSource();
    client.watchConfig(source);
    source.push({ retry: false });
    expect(changed).toHaveLength(1);
    // A source that forgot to await its parse: the document is a Promise of the intended one.
    source.push(Promise.resolve({ retry: false, timeout: { total: 1_000 } }));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toBeInstanceOf(ConfigError);
    expect(changed).toHaveLength(1);
    // The incident setting (retries off) must still be in force.
    const f = flaky();
    await expect(client.execute(f.fn)).rejects.toThrow('fail');
    expect(f.attempts()).toBe(1);
  });

  it('reconfigure refuses a Map (a YAML/JSON loader that returns Maps) instead of treating it as {}', () => {
    const client = make();
    client.reconfigure({ retry: false });
    expect(() => client.reconfigure(new Map<string, unknown>([['retry', { attempts: 5 }]]) as never)).toThrow(ConfigError);
  });
});

describe('documents whose options sit on their prototype', () => {
  it('a class instance with getters (options read through accessors) is refused, not applied as {}', async () => {
    const client = make({ retry: { attempts: 2, backoff: { base: 0, cap: 0 } } });
    client.reconfigure({ retry: false });
    class IncidentConfig { get retry(): false { return false; } get hedge(): false { return false; } }
    const changed: unknown[] = [];
    client.on('configChanged', (e) => changed.push(e.document));
    let threw: unknown;
    try { client.reconfigure(new IncidentConfig() as never); } catch (err) { threw = err; }
    // Either it reads retry: false (and retries stay off) or it refuses the document; never a silent {}.
    const f = flaky();
    const result = await client.execute(f.fn).then(() => 'ok', () => 'failed');
    expect(threw instanceof ConfigError || (result === 'failed' && f.attempts() === 1)).toBe(true);
  });
});

describe('createClient options are the base that documents are laid over', () => {
  it("a key the document leaves out falls back to createClient's value as given then, not to a later mutation of the caller's object", async () => {
    // A shared options object, reused (and changed) for another client after this one was created.
    const shared = { retry: { attempts: 3, backoff: { base: 0, cap: 0 } } };
    const client = make({ ...shared });
    shared.retry.attempts = 1; // e.g. preparing a "no retries" client from the same object
    // A document about timeouts only: retry is left out, so it falls back to createClient's value (3 attempts).
    client.reconfigure({ timeout: { attempt: 5_000 } });
    const f = flaky();
    await expect(client.execute(f.fn)).resolves.toBe('ok');
    expect(f.attempts()).toBe(2);
  });

  it('a document that does not touch retry is not refused because of what happened to the caller\'s retry object since', () => {
    const shared = { retry: { attempts: 3 } };
    const client = make({ ...shared });
    (shared.retry as { attempts: unknown }).attempts = 'three';
    expect(() => client.reconfigure({ hedge: false })).not.toThrow();
  });
});
