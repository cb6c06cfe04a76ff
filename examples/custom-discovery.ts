// A custom discovery adapter: endpoints listed in a JSON file that an operator (or a deploy
// script) rewrites. The adapter polls the file; the client diffs each set it gets by endpoint id.
//
//   npm run examples -- custom-discovery    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/custom-discovery.ts)
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClientEvents, type Discovery } from 'bulwark';

let reads = 0;
function jsonFileDiscovery(path: string, pollMs = 50): Discovery {
  return {
    watch(update, error) {
      // Always hand over the complete list: unchanged sets cost nothing and emit no event.
      // A failed read or parse goes to `error`; the client keeps the last good set.
      const read = (): Promise<void> => {
        reads++;
        return readFile(path, 'utf8').then((text) => update(JSON.parse(text))).catch(error);
      };
      void read();
      const timer = setInterval(read, pollMs);
      return () => clearInterval(timer); // called by client.close()
    },
  };
}

async function startBackend(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const dir = await mkdtemp(join(tmpdir(), 'bulwark-example-'));
const file = join(dir, 'endpoints.json');
// Write a temp file and rename it over the old one, so a reader never sees half a file.
const publish = async (text: string): Promise<void> => {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
};

const [a, b, c] = await Promise.all([startBackend(), startBackend(), startBackend()]);
await publish(JSON.stringify([a!.url, b!.url]));

const search = createClient({ name: 'search', discovery: jsonFileDiscovery(file) });
const next = <K extends keyof ClientEvents>(name: K): Promise<ClientEvents[K][0]> =>
  new Promise((resolve) => search.once(name, (...args) => resolve(args[0])));

let change = await next('endpoints');
console.log('endpoints:', change.endpoints.map((e) => e.url));

// A deploy replaces a with c: one event says what came and went. b keeps its state.
await publish(JSON.stringify([b!.url, c!.url]));
change = await next('endpoints');
console.log('added:', change.added.map((e) => e.url), 'removed:', change.removed.map((e) => e.url));
assert.deepEqual([change.added.map((e) => e.url), change.removed.map((e) => e.url)], [[c!.url], [a!.url]]);

// A broken file is reported, not applied: calls keep going to b and c.
await publish('[ "http://127.0.0.1:1", ');
const { error } = await next('discoveryError');
console.log('discovery error:', (error as Error).message);
assert.equal((await search.fetch('/')).status, 200);
assert.deepEqual(search.stats().endpoints.map((e) => e.url), [b!.url, c!.url]);

// close() calls the stop function: no more reads after it.
await search.close();
const readsAtClose = reads;
await new Promise((resolve) => setTimeout(resolve, 200));
assert.equal(reads, readsAtClose);
console.log(`closed after ${reads} reads; polling stopped`);

for (const { server } of [a!, b!, c!]) server.close();
await rm(dir, { recursive: true });
