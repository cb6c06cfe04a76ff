// What broke: README says a discovery's (or a config source's) `watch` may return "the handle it set up instead (an `fs.FSWatcher`, an interval's `Timeout`, a subscription)", and close() stops it at run time, but in TypeScript `return setInterval(…)` or `return fs.watch(…)` from `watch` did not compile.
//
// `Discovery.watch` (src/discovery/discovery.ts) and `ConfigSource.watch` (src/config/live.ts)
// were typed to return `() => void | Promise<void>` only, while stopOf (src/discovery/stop-of.ts)
// stops a handle by its close/stop/unsubscribe/cancel/abort method or as a disposable. Both now
// return a `StopHandle` (exported from `bulwark`), which is exactly that. The run-time half is
// checked here too, typed as a user writes it (no cast).
import { mkdtempSync, rmSync, watch as watchFile } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient, type Discovery } from '../../src/index.js';
import { compileUser } from '../helpers/user-build.js';

describe('a watch that returns its handle', () => {
  it('runs: close() stops an interval and a file watcher that watch returned', async () => {
    let ticks = 0;
    const polling: Discovery = {
      watch(update) {
        update(['http://127.0.0.1:8080']);
        return setInterval(() => { ticks++; }, 2);
      },
    };
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-handle-'));
    let watcherClosed = false;
    const files: Discovery = {
      watch(update) {
        update(['http://127.0.0.1:8081']);
        const watcher = watchFile(dir);
        watcher.on('close', () => { watcherClosed = true; });
        return watcher;
      },
    };
    const a = createClient({ name: 'polling', discovery: polling });
    const b = createClient({ name: 'files', discovery: files });
    const errors: unknown[] = [];
    a.on('discoveryError', (e) => errors.push(e.error));
    b.on('discoveryError', (e) => errors.push(e.error));
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([a.close(), b.close()]);
    const after = ticks;
    await new Promise((r) => setTimeout(r, 20));
    rmSync(dir, { recursive: true, force: true });
    expect({ ticksAfterClose: ticks - after, watcherClosed, errors }).toEqual({ ticksAfterClose: 0, watcherClosed: true, errors: [] });
  });

  it('compiles, as README describes it: every handle stopOf stops, and nothing else', () => {
    const diagnostics = compileUser({
      'main.ts': `
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createClient, type ConfigSource, type Discovery, type StopHandle } from 'bulwark';
import { registerGrpcResolver } from 'bulwark/grpc';

const polling: Discovery = {
  watch(update, error) {
    const read = () => readFile('endpoints.json', 'utf8').then((t) => update(JSON.parse(t)), error);
    void read();
    return setInterval(read, 5_000);
  },
};
const fromFile: ConfigSource = {
  watch(update, error) {
    const read = () => readFile('config.json', 'utf8').then((t) => update(JSON.parse(t)), error);
    void read();
    return watch('config.json', read);
  },
};
const users = createClient({ name: 'users', discovery: polling });
users.watchConfig(fromFile);
await users.close();
const registration = registerGrpcResolver('users', polling);
await registration.unregister();

const handles: StopHandle[] = [
  () => {},
  async () => {},
  setInterval(() => {}, 1_000),
  watch('.'),
  { close: () => {} },
  { stop: async () => {} },
  { unsubscribe: () => true },
  { cancel: () => {} },
  new AbortController(),
  { [Symbol.dispose]: () => {} },
  { [Symbol.asyncDispose]: async () => {} },
];
console.log(handles);
// @ts-expect-error: nothing to stop it with
const none: StopHandle = { end: () => {} };
// @ts-expect-error: stopOf calls a stop method without arguments
const needsArgument: StopHandle = { close: (code: number) => code };
console.log(none, needsArgument);
`,
    });
    expect(diagnostics).toEqual([]);
  });
});
