// bulwark's undici interceptor behind Node's global fetch: code that calls plain `fetch` (a
// third-party SDK, say) gets load balancing, retries on another endpoint and deadlines without
// a change. Three local backends serve "http://users.internal"; one of them answers 503.
//
//   npm run examples -- undici-global-dispatcher    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/undici-global-dispatcher.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { createClient, roundRobin } from 'bulwark';
import { bulwarkInterceptor } from 'bulwark/undici';

/** A backend that answers with its name, or 503 while `sick`. */
interface Backend { name: string; port: number; sick: boolean; served: number; server: Server }

async function start(name: string, sick = false): Promise<Backend> {
  const b: Backend = { name, port: 0, sick, served: 0, server: createServer() };
  b.server.on('request', (req, res) => {
    req.resume();
    b.served++;
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end(b.name), 5_000).unref();
    res.writeHead(b.sick ? 503 : 200, { 'content-type': 'text/plain' }).end(b.name);
  });
  await new Promise<void>((resolve) => b.server.listen(0, '127.0.0.1', resolve));
  b.port = (b.server.address() as AddressInfo).port;
  return b;
}

const backends = [await start('users-a'), await start('users-b'), await start('users-c', true)];

const users = createClient({
  name: 'users',
  discovery: backends.map((b) => `http://127.0.0.1:${b.port}`),
  picker: roundRobin(),
  timeout: { attempt: 200, total: 1_000 },
});

// Requests to http://users.internal go through the client; every other origin passes through.
const previous = getGlobalDispatcher();
const agent = new Agent().compose(bulwarkInterceptor({ origins: { 'http://users.internal': users } }));
setGlobalDispatcher(agent);

// "Third-party" code: plain global fetch, no dispatcher option, no retry logic of its own.
async function sdkGetUser(id: number): Promise<string> {
  const res = await fetch(`http://users.internal/v1/users/${id}`);
  assert.equal(res.status, 200, `user ${id}: status ${res.status}`);
  return res.text();
}

const answers = new Map<string, number>();
for (let id = 0; id < 30; id++) {
  const name = await sdkGetUser(id);
  answers.set(name, (answers.get(name) ?? 0) + 1);
}
console.log('30 calls of global fetch answered by', Object.fromEntries(answers));
// Every call succeeded: the sick backend's 503s were retried on a healthy one.
assert.equal(answers.get('users-c'), undefined);
assert.equal((answers.get('users-a') ?? 0) + (answers.get('users-b') ?? 0), 30);
assert.ok(backends[2]!.served > 0, 'the sick backend was tried');

// Deadlines: a request that hangs is cut off by the client's (200 ms per attempt, tried on each
// endpoint, 1 s in all), whatever the SDK's own timeout; fetch rejects with the TimeoutError as cause.
const started = performance.now();
const err = await fetch('http://users.internal/slow').then(() => undefined, (e: unknown) => e);
const waited = Math.round(performance.now() - started);
console.log(`/slow: ${(err as Error).name} after ${waited} ms, cause: ${((err as Error).cause as Error)?.name}`);
assert.ok(err instanceof TypeError && ((err.cause as Error)?.name === 'TimeoutError'));
assert.ok(waited < 2_000);

// Other origins are untouched: this goes straight to the backend.
const direct = await fetch(`http://127.0.0.1:${backends[0]!.port}/direct`);
assert.equal(await direct.text(), 'users-a');

const stats = users.stats();
console.log(`calls ${stats.calls.started}, attempts ${stats.attempts}, retries ${stats.retries}`);

setGlobalDispatcher(previous);
await users.close();
await agent.close();
for (const b of backends) b.server.closeAllConnections();
await Promise.all(backends.map((b) => new Promise((resolve) => b.server.close(resolve))));
