// Hedging: three local backends that answer a few requests very slowly. The same calls, made
// once without hedging and once with `hedge: { delay: 25, maxExtraLoad: 0.1 }`, show the tail
// cut at a small cost. It also names its picker, `roundRobin()`, so both runs spread alike.
//
//   npm run examples -- hedging    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/hedging.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, roundRobin, type ClientOptions } from 'bulwark';

// Every 37th request the fleet receives takes 400 ms (a GC pause, a cold cache); the rest 1–3 ms.
let requests = 0;
let seen = 0;
let goneAway = 0;
async function startBackend(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    requests++;
    const delay = ++seen % 37 === 0 ? 400 : 1 + (seen % 3);
    const timer = setTimeout(() => res.end('ok'), delay);
    // A losing hedge is aborted by the client: the server sees the request go away.
    res.on('close', () => { if (!res.writableFinished) { goneAway++; clearTimeout(timer); } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const backends = await Promise.all([startBackend(), startBackend(), startBackend()]);

async function run(label: string, options: Partial<ClientOptions>): Promise<{ p99: number; requestsPerCall: number }> {
  requests = 0;
  const client = createClient({ name: 'search', discovery: backends.map((b) => b.url), picker: roundRobin(), ...options });
  const latencies: number[] = [];
  for (let i = 0; i < 300; i++) {
    const started = performance.now();
    const res = await client.fetch(`/search?q=${i}`);
    await res.text();
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
  const { hedges } = client.stats();
  console.log(`${label}: p99 ${p99.toFixed(0)} ms, ${(requests / 300).toFixed(3)} requests per call, hedges sent ${hedges.sent}, won ${hedges.won}`);
  await client.close();
  return { p99, requestsPerCall: requests / 300 };
}

const plain = await run('no hedging     ', {});
// 25 ms: well above the usual 1–3 ms, far below 400. `'p95'` would follow the latency by itself.
// maxExtraLoad 0.1: up to 10 % extra requests (the default is 5 %).
const hedged = await run('hedge after 25 ms', { hedge: { delay: 25, maxExtraLoad: 0.1 } });

assert.ok(hedged.p99 * 4 < plain.p99, 'hedging cuts the p99');
assert.ok(hedged.requestsPerCall <= 1.1, 'for at most 10 % more requests');
console.log(`losing attempts the servers saw go away: ${goneAway}`);

for (const { server } of backends) server.close();
