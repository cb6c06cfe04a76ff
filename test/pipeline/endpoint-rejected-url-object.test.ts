// A discovery adapter that passed a URL object as an entry had it dropped, and the
// `endpointRejected` event showed the entry with its password (README, "Events": shown without
// credentials). A URL object is now taken as the URL it holds: its password shows nowhere.
import { afterEach, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/index.js';

const PASSWORD = 'S3cr3t-discovered-pw';
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

it('a URL object entry is taken as its URL, and its password shows in no event nor endpoint', async () => {
  const seen: unknown[] = [];
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
  client.on('endpointRejected', (e) => seen.push(e));
  const endpoints = await new Promise<unknown>((resolve) => client.once('endpoints', resolve));
  seen.push(endpoints);
  expect(client.endpoints().map((e) => e.id)).toEqual(['http://10.0.0.1:8080', 'http://10.0.0.2:8080']);
  expect(JSON.stringify(seen)).not.toContain(PASSWORD);
  expect(JSON.stringify(client.stats())).not.toContain(PASSWORD);
});
