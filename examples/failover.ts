// Endpoint health and priority failover: a primary site (priority 0) and a standby site
// (priority 1) on local servers. Health checks find a primary that is sick although nobody
// calls it; calls spill to the standby only as the primary degrades, and come back.
//
//   npm run examples -- failover    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/failover.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, roundRobin } from 'bulwark';

/** A backend whose /health and requests fail while `sick` is set. */
interface Backend { name: string; port: number; sick: boolean; served: number; server: Server }

async function start(name: string): Promise<Backend> {
  const b: Backend = { name, port: 0, sick: false, served: 0, server: createServer() };
  b.server.on('request', (req, res) => {
    req.resume();
    if (req.url !== '/health') b.served++;
    res.writeHead(b.sick ? 503 : 200).end(b.name);
  });
  await new Promise<void>((resolve) => b.server.listen(0, '127.0.0.1', resolve));
  b.port = (b.server.address() as AddressInfo).port;
  return b;
}

const primary = await Promise.all(['primary-1', 'primary-2'].map(start));
const standby = await Promise.all(['standby-1', 'standby-2'].map(start));

const client = createClient({
  name: 'orders',
  discovery: [
    ...primary.map((b) => ({ host: '127.0.0.1', port: b.port, priority: 0 })),
    ...standby.map((b) => ({ host: '127.0.0.1', port: b.port, priority: 1 })),
  ],
  picker: roundRobin(),
  health: {
    // GET /health every 100 ms (the default is 10 s); two failures eject, two passes re-admit.
    checks: { interval: 100, unhealthyThreshold: 2, healthyThreshold: 2 },
    ejectionTime: 300,       // short for the example; the default is 30 s
    maxEjectionPercent: 50,  // let one of the four go (the default, 10 %, still ejects one)
  },
});
client.on('health', (e) => console.log(`  health: ${e.endpoint.port} ${e.previous} → ${e.status} (${e.reason})`));

async function round(label: string): Promise<void> {
  for (const b of [...primary, ...standby]) b.served = 0;
  for (let i = 0; i < 200; i++) {
    const res = await client.fetch('/orders');
    assert.equal(res.status, 200);
    await res.text();
  }
  const toStandby = standby.reduce((n, b) => n + b.served, 0) / 200;
  console.log(`${label}: ${Math.round(toStandby * 100)} % of calls went to the standby site`);
}

await round('all healthy           ');
assert.equal(standby[0]!.served + standby[1]!.served, 0);

// primary-1 falls sick. Its health checks fail before any call has to.
primary[0]!.sick = true;
await new Promise((resolve) => setTimeout(resolve, 700));
await round('one primary ejected   ');  // 50 % healthy × 1.4: 70 % stay on the primary site
const spilled = standby[0]!.served + standby[1]!.served;
assert.ok(spilled > 20 && spilled < 100, `expected about 30 % on the standby, got ${spilled / 2} %`);

// It recovers: checks pass, it is re-admitted, and the standby is idle again.
primary[0]!.sick = false;
await new Promise((resolve) => setTimeout(resolve, 1_500));
await round('primary recovered     ');
assert.equal(standby[0]!.served + standby[1]!.served, 0);

await client.close();
for (const b of [...primary, ...standby]) b.server.close();
