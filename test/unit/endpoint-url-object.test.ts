// What broke: a URL object given as an endpoint was read as an object form and refused about .host/.port.
// A new user's first endpoint list is often a list of URL objects (`new URL(process.env.USERS_URL)`):
// fetch takes a URL wherever it takes a string. bulwark read the URL's fields as the object form
// of an endpoint and refused it with a message about a field the user never wrote:
// "discovery[0].host must be a host name or IP address, got "127.0.0.1:8080"" (URL#host has the
// port), or for a default port "discovery[0].port must be an integer from 1 to 65535, got """.
// The object form `{ url }` already gets a pointer ("give the URL itself as the endpoint, a
// string"); a URL object should be taken as the URL it is, or refused with a message saying so.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';

function outcome(endpoint: URL): { ids?: string[]; error?: ConfigError } {
  try {
    const client = createClient({ name: 'users', discovery: [endpoint as never] });
    const ids = client.stats().endpoints.map((e) => e.id);
    void client.close();
    return { ids };
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return { error: err as ConfigError };
  }
}

describe('a URL object given as an endpoint', () => {
  for (const [url, id] of [['http://127.0.0.1:8080/api', 'http://127.0.0.1:8080/api'], ['http://127.0.0.1/', 'http://127.0.0.1:80']] as const) {
    it(`${url}: used as that URL`, () => {
      const { ids, error } = outcome(new URL(url));
      expect(error).toBeUndefined();
      expect(ids).toEqual([id]);
    });
  }
});

it('a URL object with credentials is taken as the URL: the id has no credentials', () => {
  const { ids, error } = outcome(new URL('http://u:s3cret@127.0.0.1:8080'));
  expect(error).toBeUndefined();
  expect(ids).toEqual(['http://127.0.0.1:8080']);
});

it('a discovery update whose URL object changed only its path takes the new one (known by its text, not by fields it lacks)', async () => {
  let push: (list: unknown[]) => void = () => {};
  const client = createClient({ name: 'users', discovery: { watch(update) { push = update as never; update([new URL('http://u:one@127.0.0.1:8080/a') as never]); return () => {}; } } });
  try {
    await new Promise((r) => setTimeout(r, 0));
    expect(client.endpoints().map((e) => e.id)).toEqual(['http://127.0.0.1:8080/a']);
    push([new URL('http://u:two@127.0.0.1:8080/b')]);
    expect(client.endpoints().map((e) => e.id)).toEqual(['http://127.0.0.1:8080/b']);
  } finally {
    await client.close();
  }
});
