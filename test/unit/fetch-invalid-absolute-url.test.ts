// `client.fetch('http://user:pw@host:99999/x')`, an absolute URL the parser refuses, rejected
// with URL's own TypeError, whose `input` held the whole text, password included. It now rejects
// with a TypeError (code ERR_INVALID_URL, as URL's) that shows the input without credentials.
import { inspect } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';

const PASSWORD = 'S3cr3t-fetch-pw';
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

it('an unparsable absolute URL: the rejection does not carry the password', async () => {
  const client = createClient({ name: 'users', discovery: ['127.0.0.1:59999'] });
  clients.push(client);
  // Port out of range: the URL parser refuses it.
  const err = await client.fetch(`http://admin:${PASSWORD}@users.internal:99999/v1/x`).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TypeError);
  expect(err).toMatchObject({ code: 'ERR_INVALID_URL', input: 'http://users.internal:99999/v1/x' });
  expect(inspect(err)).not.toContain(PASSWORD);
});
