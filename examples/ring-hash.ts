// Sticky routing with ringHash: every call for the same `key` (here a user id) reaches the
// same backend, so per-user state cached there stays warm. When that backend is down, the
// call walks the ring to the next backend, the same one the key would move to if discovery
// removed the dead one, and keys of the healthy backends do not move at all.
//
//   npm run examples -- ring-hash    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/ring-hash.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, ringHash } from 'bulwark';

async function startBackend(name: string): Promise<{ name: string; url: string; server: Server }> {
  const server = createServer((req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const backends = await Promise.all(['a', 'b', 'c'].map(startBackend));
const carts = createClient({ name: 'carts', discovery: backends.map((b) => b.url), picker: ringHash() });

const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
/** Which backend serves each user; asks twice to show the answer does not change. */
async function route(): Promise<Map<string, string>> {
  const served = new Map<string, string>();
  for (const user of users) {
    for (let i = 0; i < 2; i++) {
      // `key` is what the ring hashes; without one, ringHash picks at random.
      const name = await (await carts.fetch(`/carts/${user}`, { key: user })).text();
      assert.equal(served.get(user) ?? name, name, `${user} moved between two calls`);
      served.set(user, name);
    }
  }
  return served;
}
const count = (m: Map<string, string>, name: string): number => [...m.values()].filter((v) => v === name).length;

const before = await route();
console.log('users per backend:', backends.map((b) => `${b.name}=${count(before, b.name)}`).join(' '));

// Stop b. Its users are retried on the next backend along the ring; nobody else moves.
const b = backends[1]!;
b.server.closeAllConnections();
await new Promise((resolve) => b.server.close(resolve));
const after = await route();
let moved = 0;
for (const user of users) {
  if (before.get(user) === 'b') {
    assert.notEqual(after.get(user), 'b');
    moved++;
  } else {
    assert.equal(after.get(user), before.get(user), `${user} moved although its backend is up`);
  }
}
console.log(`b down: its ${moved} users moved to a=${count(after, 'a') - count(before, 'a')} c=${count(after, 'c') - count(before, 'c')}; the other ${users.length - moved} stayed put`);
console.log(`retries: ${carts.stats().retries}`);

await carts.close();
for (const { server } of backends) server.close();
