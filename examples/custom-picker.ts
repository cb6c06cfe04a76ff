// A custom picker: stay in my zone, spread by fewest requests in flight, and leave the zone
// only when every endpoint in it was already tried by this call.
//
//   npm run examples -- custom-picker    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/custom-picker.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type EndpointState, type Picker, type PickRequest } from 'bulwark';

// A class rather than an object of closures: a process with several clients then runs one
// `pick` function for all of them, which V8 optimizes once (the built-in pickers do the same).
class ZoneAffinity implements Picker {
  readonly name: string;
  readonly #zone: string;
  #endpoints: readonly EndpointState[] = [];

  constructor(zone: string) {
    this.name = `zoneAffinity(${zone})`;
    this.#zone = zone;
  }

  // Called with the full candidate list before the first pick and after every change.
  update(list: readonly EndpointState[]): void {
    this.#endpoints = list;
  }

  // Called once per attempt: synchronous, and no allocation (it runs on every call).
  pick({ tried }: PickRequest): EndpointState | undefined {
    let best: EndpointState | undefined;
    let bestRank = Infinity;
    for (const e of this.#endpoints) {
      // Rank: untried in zone (0) < untried elsewhere (1) < tried in zone (2) < tried elsewhere (3).
      const rank = (tried.includes(e) ? 2 : 0) + (e.zone === this.#zone ? 0 : 1);
      if (rank < bestRank || (rank === bestRank && e.inflight < best!.inflight)) {
        best = e;
        bestRank = rank;
      }
    }
    return best;
  }
}

async function startBackend(): Promise<{ port: number; server: Server; served: number }> {
  const backend = { port: 0, server: createServer(), served: 0 };
  backend.server.on('request', (req, res) => {
    backend.served++;
    setTimeout(() => res.end('ok'), 20); // a little latency, so calls overlap
  });
  await new Promise<void>((resolve) => backend.server.listen(0, '127.0.0.1', resolve));
  backend.port = (backend.server.address() as AddressInfo).port;
  return backend;
}

const [near1, near2, far] = await Promise.all([startBackend(), startBackend(), startBackend()]);
const api = createClient({
  name: 'api',
  // Object entries carry what a picker may want: zone, weight, priority, metadata.
  discovery: [
    { host: '127.0.0.1', port: near1!.port, zone: 'eu-west-1a' },
    { host: '127.0.0.1', port: near2!.port, zone: 'eu-west-1a' },
    { host: '127.0.0.1', port: far!.port, zone: 'eu-west-1b' },
  ],
  picker: new ZoneAffinity('eu-west-1a'),
});

// 20 calls at once: in-flight counts split them between the two endpoints in the zone.
await Promise.all(Array.from({ length: 20 }, () => api.fetch('/').then((r) => r.text())));
console.log(`in zone: ${near1!.served} + ${near2!.served}, other zone: ${far!.served}`);
assert.deepEqual([near1!.served, near2!.served, far!.served], [10, 10, 0]);

// Take the zone down: each call fails twice in the zone, then its third attempt leaves it.
// (A kept-alive socket the server just closed shows up as UND_ERR_SOCKET, a new connection as
// "connection refused"; a GET is retried after either.)
for (const b of [near1!, near2!]) {
  b.server.closeAllConnections();
  await new Promise((resolve) => b.server.close(resolve));
}
api.on('retry', (e) => console.log(`  ${e.reason} at ${e.endpoint.zone} ${e.endpoint.url}, trying again`));
const res = await api.fetch('/');
console.log(`after the zone went down: ${res.status}, other zone served ${far!.served}`);
assert.equal(far!.served, 1);

await api.close();
far!.server.close();
