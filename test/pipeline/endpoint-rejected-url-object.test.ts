// A discovery adapter that passed a URL object as an entry had it dropped, but the
// `endpointRejected` event showed the entry with its password (README, "Events": shown without
// credentials).
import { afterEach, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';

const PASSWORD = 'S3cr3t-discovered-pw';
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

it('endpointRejected for a URL object entry does not show its password', async () => {
  const client = createClient({
    name: 'users',
    discovery: {
      watch(update) {
        update(['http://10.0.0.1:8080', new URL(`http://svc:${PASSWORD}@10.0.0.2:8080`) as never]);
        return () => {};
      },
    },
  });
  clients.push(client);
  const rejected = await new Promise<{ entry: unknown; reason: string }>((resolve) => client.once('endpointRejected', resolve));
  expect(JSON.stringify(rejected)).not.toContain(PASSWORD);
});
