// execute(): the same pipeline (picker, retries, deadlines) around any async call, here a raw
// node:http request. The attempt's signal is handed to the request, so when an attempt times
// out the socket is really closed and the hung server sees its client go away.
//
//   npm run examples -- quick-start-execute    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/quick-start-execute.ts)
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Endpoint } from 'bulwark';

// The first request the fleet receives never gets an answer (a stuck worker); the rest do.
let received = 0;
let abandoned = 0;
async function startBackend(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    res.on('close', () => { if (!res.writableFinished) abandoned++; });
    if (received++ === 0) return; // hang
    res.writeHead(200).end(`${name} served ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A GET with node:http: resolves with status and body; `signal` aborts it (and rejects). */
function get(endpoint: Endpoint, path: string, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: endpoint.host, port: endpoint.port, path, signal }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject).end();
  });
}

const backends = await Promise.all(['a', 'b'].map(startBackend));
const orders = createClient({
  name: 'orders',
  discovery: backends.map((b) => b.url),
  // A stuck backend should cost 300 ms, not the default 10 s: then the call moves on.
  timeout: { attempt: 300, total: 5_000 },
});
orders.on('retry', (e) => console.log(`retry after ${e.reason} on ${e.endpoint.url}`));

const result = await orders.execute(
  async (endpoint, { signal, attempt }) => {
    console.log(`attempt ${attempt} -> ${endpoint.url}`);
    return get(endpoint, '/orders/7', signal);
  },
  {
    // By default a returned value is a success. A 5xx is a value here (node:http does not
    // throw on it), so say that it means "try another endpoint".
    classify: (outcome) => (outcome.ok && outcome.value.status < 500 ? 'success' : 'retry'),
  },
);
console.log(`result: ${result.status} "${result.body}"`);
assert.equal(result.status, 200);

// Give the hung server a moment to notice the closed socket.
await new Promise((resolve) => setTimeout(resolve, 100));
console.log(`requests the servers saw abandoned by the client: ${abandoned}`);
assert.equal(abandoned, 1);
assert.equal(orders.stats().retries, 1);

await orders.close();
for (const { server } of backends) server.close();
