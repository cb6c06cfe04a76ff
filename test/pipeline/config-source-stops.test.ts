// watchConfig sources and close() (README, "close()", "Live configuration"): a second call of a
// source's stop function waits for the source to have stopped, close() waits for a stop already
// under way, and a close() made while a source starts (a listener of its first, synchronous
// document or error) stops that source too.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type Client, type ConfigSource } from '../../src/index.js';
import { FakeClock, deferred, settle } from '../helpers/fake-clock.js';

const clients: Client[] = [];
afterEach(async () => {
  while (clients.length > 0) await clients.pop()!.close();
});

function client(): Client {
  const c = createClient({ name: 'svc', discovery: ['127.0.0.1:1', '127.0.0.1:2'], clock: new FakeClock() });
  clients.push(c);
  return c;
}

/** A source whose stop takes until `finish()` is called; counts its starts and stops. */
function slowStopSource(): ConfigSource & { started: number; stopCalls: number; stopped: boolean; finish(): void } {
  const gate = deferred<void>();
  const src = {
    started: 0,
    stopCalls: 0,
    stopped: false,
    finish: () => gate.resolve(),
    watch() {
      src.started++;
      return async () => {
        src.stopCalls++;
        await gate.promise;
        src.stopped = true;
      };
    },
  };
  return src;
}

describe('watchConfig stop functions and close()', () => {
  it('a second call of the stop function does not resolve before the source has stopped', async () => {
    const c = client();
    const src = slowStopSource();
    const stop = c.watchConfig(src);
    const first = stop();
    let secondDone = false;
    const second = stop().then(() => { secondDone = true; });
    await settle();
    // Expected: like the first call, the second one resolves once the source has stopped.
    expect(secondDone && !src.stopped).toBe(false);
    src.finish();
    await first;
    await second;
  });

  it('close() waits for a source whose stop was already started by its stop function', async () => {
    const c = client();
    const src = slowStopSource();
    const stop = c.watchConfig(src);
    void stop(); // e.g. a shutdown hook that does not await it
    let closed = false;
    const closing = c.close().then(() => { closed = true; });
    await settle();
    // README: close() calls the watchConfig sources' stop functions "and waits for them".
    expect(closed && !src.stopped).toBe(false);
    src.finish();
    await closing;
  });

  it('close() made by a listener of the first (synchronous) document still stops the source', async () => {
    const c = client();
    let stops = 0;
    const src: ConfigSource = {
      watch(update) {
        update({ retry: { attempts: 2 } }); // a source that reads its first document synchronously (a file)
        return () => { stops++; };
      },
    };
    let closing: Promise<void> | undefined;
    c.on('configChanged', () => { closing = c.close(); });
    c.watchConfig(src);
    expect(closing).toBeDefined();
    await closing;
    // README: "close() stops every source watchConfig started".
    expect(stops).toBe(1);
  });

  it('close() made by a configRejected listener while the source reports its first error synchronously still stops the source', async () => {
    const c = client();
    let stops = 0;
    const src: ConfigSource = {
      watch(_update, error) {
        error(new Error('config file missing'));
        return () => { stops++; };
      },
    };
    let closing: Promise<void> | undefined;
    // A service that refuses to run without its configuration.
    c.on('configRejected', () => { closing = c.close(); });
    c.watchConfig(src);
    expect(closing).toBeDefined();
    await closing;
    expect(stops).toBe(1);
  });
});
