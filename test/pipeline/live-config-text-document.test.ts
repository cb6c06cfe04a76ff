// A live configuration document given as JSON text (a source that forgot JSON.parse) was refused
// with a ConfigError holding the whole text, so a secret in it reached the `configRejected`
// event. A document that is not an object is now described by its type and length.
import { afterEach, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';

const TOKEN = 'S3cr3t-api-token-42';
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

it('configRejected for a JSON-text document does not echo a secret at an unknown key', async () => {
  const client = createClient({ name: 'users', discovery: ['10.0.0.1:8080'] });
  clients.push(client);
  const rejected = new Promise<{ error: unknown }>((resolve) => client.once('configRejected', resolve));
  client.watchConfig({
    watch(update) {
      update(`{"retry":{"attempts":2},"apiToken":"${TOKEN}"}`);
      return () => {};
    },
  });
  const { error } = await rejected;
  const e = error as Error & { value?: unknown };
  expect(`${e.message} ${String(e.value)}`).not.toContain(TOKEN);
});
