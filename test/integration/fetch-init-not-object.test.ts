// What broke: client.fetch(path, "GET") rejected with "Cannot use 'in' operator" from inside bulwark.
// A first mistake with fetch's second argument: `users.fetch('/x', 'GET')` (the method where
// the init goes). README, "Errors": an argument of the wrong type is a TypeError, as in Node's
// own APIs, and bulwark's own check of `input` names the argument
// ("client.fetch: input must be a path string, a URL or a Request"). For `init` the user got
// an internal crash instead: "Cannot use 'in' operator to search for 'body' in GET".
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';
import { ok, startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

describe('client.fetch with an init that is not an object', () => {
  for (const init of ['GET', 5, true]) {
    it(`init ${JSON.stringify(init)} rejects with a TypeError that names init, and sends nothing`, async () => {
      server = await startServer(ok());
      client = createClient({ name: 'users', discovery: [server.url] });
      const error = await client.fetch('/x', init as never).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      // It names the argument, as bulwark's own check of `input` does (and as `execute`'s
      // options, refused with a ConfigError at path `options`, do).
      expect((error as Error).message).toMatch(/client\.fetch: init/);
      expect((error as Error).message).not.toMatch(/Cannot use 'in' operator/);
      expect(server.requests).toHaveLength(0);
    });
  }
});
