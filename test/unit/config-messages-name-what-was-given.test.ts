// What broke: three ConfigError messages named something other than what the user gave: dnsDiscovery's options object shown as "an array of 3" (its keys), reconfigure(promise) told "a plain object or array" would do (an array document is refused), and retry.statusCodes: ['503'] refused as "an array of 1" without naming the bad entry.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient, dnsDiscovery, type Client } from '../../src/index.js';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('no ConfigError thrown');
}

describe('dnsDiscovery: name and srv', () => {
  it('both: the options object is shown as the object it is', () => {
    const message = messageOf(() => dnsDiscovery({ name: 'users.internal', srv: '_http._tcp.users.internal', port: 8080 } as never));
    expect(message).toMatch(/either "name" or "srv"/);
    expect(message).not.toMatch(/an array/);
    expect(message).toMatch(/"srv":"_http\._tcp\.users\.internal"/);
  });

  it('neither: the options object is shown as the object it is', () => {
    const message = messageOf(() => dnsDiscovery({ port: 8080 } as never));
    expect(message).toMatch(/"name"/);
    expect(message).not.toMatch(/an array/);
  });
});

describe('reconfigure: a document that is no plain object', () => {
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
  });

  it('an array document is refused, and a Promise or Map document is not told an array would do', () => {
    client = createClient({ name: 'users', discovery: ['http://127.0.0.1:9'] });
    const c = client;
    expect(() => c.reconfigure([] as never)).toThrow(ConfigError);
    expect(messageOf(() => c.reconfigure(Promise.resolve({}) as never))).toMatch(/config must be a plain object .*a forgotten await/);
    expect(messageOf(() => c.reconfigure(new Map() as never))).not.toMatch(/or array/);
  });
});

describe('retry.statusCodes', () => {
  it('names the entry that is no HTTP status', () => {
    const message = messageOf(() => createClient({ name: 'users', discovery: ['http://127.0.0.1:9'], retry: { statusCodes: [503, '502'] as never } }));
    expect(message).toMatch(/retry\.statusCodes\[1\] must be an HTTP status/);
    expect(message).toMatch(/"502"/);
  });

  it('still refuses a value that is no array', () => {
    expect(messageOf(() => createClient({ name: 'users', discovery: ['http://127.0.0.1:9'], retry: { statusCodes: 503 as never } }))).toMatch(/retry\.statusCodes must be an array/);
  });
});
