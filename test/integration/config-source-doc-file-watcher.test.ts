// What broke: the file-watching ConfigSource shown in ConfigSource's JSDoc (src/config/live.ts, the "a file watcher is a few lines" the README promises) watched the file itself, so after the first atomic replace (write a temp file, rename it over) it never saw another change and the client silently kept a stale configuration.
// The snippet below is the JSDoc's, verbatim but for imports: keep the two the same. It watches
// the folder, as examples/live-config.ts does, and reads one at a time, in order.
import { watch } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { createClient, type ConfigSource } from '../../src/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sleep, until } from '../helpers/lifecycle.js';

// --- the JSDoc example of ConfigSource ---
const parse = (t: string): unknown => { try { return JSON.parse(t); } catch { throw new Error('live config: file is not JSON'); } };
const fromFile = (path: string): ConfigSource => ({
  watch(update, error) {
    // One read at a time, in order; the folder is watched, as a file replaced by a rename
    // (how deploy tools and Kubernetes write one) is a new file a watch on the old one misses.
    let reading = Promise.resolve();
    const read = () => { reading = reading.then(() => readFile(path, 'utf8').then(parse).then(update, error)); };
    read();
    const watcher = watch(dirname(path), (_event, name) => { if (name === basename(path)) read(); });
    return () => watcher.close();
  },
});
// ---

it('the documented file source follows a file replaced atomically more than once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-jsdoc-'));
  const file = join(dir, 'users.json');
  const publish = async (doc: string): Promise<void> => {
    await writeFile(`${file}.tmp`, doc);
    await rename(`${file}.tmp`, file);
  };
  await publish('{}');
  const client = createClient({ name: 'users', discovery: ['127.0.0.1:8080'], clock: new FakeClock() });
  const docs: string[] = [];
  client.on('configChanged', ({ document }) => docs.push(JSON.stringify(document)));
  try {
    client.watchConfig(fromFile(file));
    await until(() => docs.length >= 1, 5_000);
    await publish('{"retry":false}');
    await until(() => docs.includes('{"retry":false}'), 5_000);
    await sleep(200);
    await publish('{"retry":{"attempts":2}}');
    await until(() => docs.includes('{"retry":{"attempts":2}}'), 3_000);
  } finally {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 20_000);
