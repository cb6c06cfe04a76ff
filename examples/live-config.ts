// Live configuration: a client follows a JSON file of policies (the same API takes etcd's
// `etcdConfig` from bulwark/etcd). An operator turns retries off during an incident and back
// on, without a restart; a broken document changes nothing and is reported.
//
//   npm run examples -- live-config    (builds dist/, then runs it on the repository's Node 24;
//   or, once built: node_modules/.bin/node examples/live-config.ts)
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createClient, type ClientEvents, type ConfigSource } from 'bulwark';

/**
 * The file's document. JSON.parse's SyntaxError quotes the text it failed on, secrets included,
 * and `configRejected` would pass it on: a parse failure is reported without it.
 */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('live config: file is not JSON');
  }
}

/** A ConfigSource over a JSON file: read it now and whenever it changes (its folder is watched, so a file replaced by rename is seen too). */
function jsonFileConfig(path: string): ConfigSource {
  return {
    watch(update, error) {
      // One read at a time, in order: a slow earlier read must not apply its older document last.
      let reading: Promise<void> = Promise.resolve();
      const read = (): void => {
        reading = reading.then(() => readFile(path, 'utf8').then(parseJson).then(update, error)); // a half-written file is an error, not a crash
      };
      read();
      const watcher = watch(dirname(path), (_event, name) => {
        if (name === basename(path)) read();
      });
      return () => watcher.close();
    },
  };
}

// A backend that fails every other request with 503.
let served = 0;
const server = createServer((req, res) => {
  served++;
  res.writeHead(served % 2 === 1 ? 503 : 200).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const dir = await mkdtemp(join(tmpdir(), 'bulwark-config-'));
const file = join(dir, 'users.json');
const publish = async (doc: string): Promise<void> => {
  await writeFile(`${file}.tmp`, doc);
  await rename(`${file}.tmp`, file); // a reader never sees half a file
};
await publish('{}');

// health: false keeps this one-backend example about retries alone.
const users = createClient({ name: 'users', discovery: [url], health: false });
const next = <K extends keyof ClientEvents>(name: K): Promise<ClientEvents[K][0]> =>
  new Promise((resolve) => users.once(name, (...args) => resolve(args[0])));

let changed = next('configChanged');
users.watchConfig(jsonFileConfig(file));
await changed;
// Defaults: a 503 is retried, so every call ends 200.
assert.equal((await users.fetch('/')).status, 200);
console.log('with defaults:      503 retried →', (await users.fetch('/')).status);

// Incident: turn retries off. The next calls see the 503s.
changed = next('configChanged');
await publish('{ "retry": false, "timeout": { "total": 2000 } }');
console.log('config changed:    ', JSON.stringify((await changed).document));
const statuses = [(await users.fetch('/')).status, (await users.fetch('/')).status];
assert.ok(statuses.includes(503));
console.log('retries off:       ', statuses.join(', '));

// A broken document is rejected; the last good configuration stays.
const rejected = next('configRejected');
await publish('{ "retry": { "attempts": 0 } }');
console.log('config rejected:   ', String((await rejected).error));

// Back to createClient's options: retries again.
changed = next('configChanged');
await publish('{}');
await changed;
assert.equal((await users.fetch('/')).status, 200);
assert.equal((await users.fetch('/')).status, 200);
console.log('retries back on:    200, 200');

await users.close(); // stops the file watcher too
server.close();
await rm(dir, { recursive: true });
