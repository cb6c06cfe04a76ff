// What broke: a discovery or configuration source whose `watch` returned the handle it set up
// (an `fs.FSWatcher`, an interval's Timeout, a `{ unsubscribe() }` subscription, a disposable)
// instead of a function was never stopped: `close()` resolved and the handle kept running (and
// the process alive). Such handles are now stopped by the method they have (README, "Custom
// discovery"). Follow-up (a review of that fix): `.on()` returns the emitter itself, so a
// `watch: (update) => socket.on('message', …)` handed back the user's shared socket, which close()
// then closed; an event emitter other than a file watcher is now left alone.
import { mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type ConfigSource, type Discovery } from '../../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a source whose watch returns its handle instead of a stop function", () => {
  it('an fs.FSWatcher is closed by close()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-'));
    dirs.push(dir);
    const file = join(dir, 'endpoints.json');
    writeFileSync(file, '["127.0.0.1:1"]');
    let closed = false;
    const discovery: Discovery = {
      watch(update) {
        update(['127.0.0.1:1']);
        const watcher = watch(file, () => update(['127.0.0.1:2']));
        watcher.on('close', () => (closed = true));
        return watcher;
      },
    };
    const client = createClient({ name: 'users', discovery });
    await client.close();
    await new Promise((resolve) => setImmediate(resolve)); // FSWatcher emits 'close' on the next tick
    expect(closed).toBe(true);
  });

  it("an interval's Timeout, a subscription and a disposable are stopped", async () => {
    let ticks = 0;
    let unsubscribed = 0;
    let disposed = 0;
    // Typed as they are (StopHandle): no cast.
    const interval: Discovery = { watch: (update) => { update(['127.0.0.1:1']); return setInterval(() => ticks++, 5); } };
    const subscription: Discovery = { watch: (update) => { update(['127.0.0.1:1']); return { unsubscribe: () => unsubscribed++ }; } };
    const disposable: ConfigSource = { watch: (update) => { update({}); return { [Symbol.dispose]: () => disposed++ }; } };
    const a = createClient({ name: 'a', discovery: interval });
    const b = createClient({ name: 'b', discovery: subscription });
    b.watchConfig(disposable);
    await a.close();
    await b.close();
    const after = ticks;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ticks).toBe(after);
    expect(unsubscribed).toBe(1);
    expect(disposed).toBe(1);
  });

  it('an async watch resolving to a handle is stopped too', async () => {
    let unsubscribed = 0;
    const discovery = {
      async watch(update: (list: string[]) => void) {
        await Promise.resolve();
        update(['127.0.0.1:1']);
        return { close: async () => { unsubscribed++; } };
      },
    } as unknown as Discovery;
    const client = createClient({ name: 'users', discovery });
    await new Promise((resolve) => client.once('endpoints', resolve));
    await client.close();
    expect(unsubscribed).toBe(1);
  });
});

describe('a watch that returns what `emitter.on(…)` returns (the emitter itself)', () => {
  it("leaves the user's emitter alone: close() does not close a socket or server it did not make", async () => {
    const { EventEmitter } = await import('node:events');
    class SharedSocket extends EventEmitter {
      closed = false;
      close(): void { this.closed = true; }
    }
    const socket = new SharedSocket();
    const discovery = { watch: (update: (list: string[]) => void) => { update(['127.0.0.1:1']); return socket.on('message', () => {}); } } as unknown as Discovery;
    const client = createClient({ name: 'users', discovery });
    await client.close();
    expect(socket.closed).toBe(false);
  });
});

describe('stopWatching', () => {
  it('stops what a watch returned, a function or a handle, as close() does', async () => {
    const { stopWatching } = await import('../../src/index.js');
    let stopped = 0;
    await stopWatching(() => {
      stopped++;
    });
    await stopWatching({ unsubscribe: () => { stopped++; } });
    const timer = setInterval(() => {}, 60_000);
    await stopWatching(timer);
    expect(stopped).toBe(2);
    // A cleared interval's handle no longer keeps the process alive.
    expect(timer.hasRef()).toBe(true);
    expect((timer as unknown as { _destroyed: boolean })._destroyed).toBe(true);
  });
});
