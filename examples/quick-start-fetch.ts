// Quick start with fetch: three local backends, one client, a retry you can watch.
//
//   npm run examples -- quick-start-fetch    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/quick-start-fetch.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'bulwark';

// The fleet answers JSON saying which backend served the request. The very first request the
// fleet receives gets a 503, as a backend does while it is overloaded or restarting.
let received = 0;
async function startBackend(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (received++ === 0) return void res.writeHead(503).end('busy');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const backends = await Promise.all(['a', 'b', 'c'].map(startBackend));

// An array of endpoints is shorthand for staticDiscovery([...]). Everything else is left at
// its default: peak-EWMA picker, 3 attempts, 10 s per attempt, 30 s per call, 20 % retry budget.
const users = createClient({ name: 'users', discovery: backends.map((b) => b.url) });

users.on('retry', (e) => console.log(`retry: ${e.reason} from ${e.endpoint.url}, attempt ${e.attempt} in ${Math.round(e.delay)} ms`));

for (let i = 1; i <= 5; i++) {
  // A path (with its query) is sent to whichever endpoint is picked.
  const res = await users.fetch(`/v1/users/${i}?fields=name`);
  // fetch's own contract: the Response resolves whatever its status; only check `ok` yourself.
  assert.equal(res.status, 200);
  const body = (await res.json()) as { name: string; path: string };
  console.log(`GET ${body.path} -> ${res.status} from backend ${body.name}`);
}

// stats() is a plain object: safe to log or serve on a debug endpoint. One 503 is no reason to
// eject an endpoint (that takes 5 failures in a row): every endpoint is still healthy.
const stats = users.stats();
console.log(`picker ${stats.picker}: ${stats.calls.succeeded}/${stats.calls.started} calls ok, ${stats.attempts} attempts, ${stats.retries} retry`);
console.table(stats.endpoints.map(({ url, successes, failures, latency }) => ({ url, successes, failures, latency })));
assert.equal(stats.retries, 1); // the 503 was retried once, on another endpoint
assert.equal(stats.calls.succeeded, 5);
assert.ok(stats.endpoints.every((e) => e.health?.status === 'healthy'));

await users.close();
for (const { server } of backends) server.close();
