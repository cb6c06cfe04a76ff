// A discovery or configuration source written as `async watch()` returns a promise of its stop
// function, not the function itself. The types do not allow it, but JavaScript does, and such a
// source used to be left running after close(). It is now stopped once its promise resolves,
// and a promise that rejects is a source that did not start (README, "Custom discovery").
import { describe, expect, it } from 'vitest';
import { createClient, NoEndpointsError, type ConfigSource, type Discovery, type EndpointInit } from '../../src/index.js';

/** A source with a real resource (an interval timer) that it sets up only after an await. */
function asyncSource<U>(first: U): { watch: (update: (value: U) => void) => Promise<() => void>; running: () => boolean } {
  let timer: NodeJS.Timeout | undefined;
  return {
    async watch(update) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      update(first);
      timer = setInterval(() => update(first), 1_000);
      return () => {
        clearInterval(timer);
        timer = undefined;
      };
    },
    running: () => timer !== undefined,
  };
}

describe('a source whose watch returns a promise of its stop function', () => {
  it('discovery: close() waits for the watch to start, then stops it', async () => {
    const source = asyncSource<readonly EndpointInit[]>(['127.0.0.1:1']);
    const client = createClient({ name: 'users', discovery: source as unknown as Discovery });
    await new Promise((resolve) => client.once('endpoints', resolve));
    expect(source.running()).toBe(true);
    await client.close();
    expect(source.running()).toBe(false);
  });

  it('discovery: a close() made before the watch has started still stops it', async () => {
    const source = asyncSource<readonly EndpointInit[]>(['127.0.0.1:1']);
    const client = createClient({ name: 'users', discovery: source as unknown as Discovery });
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.running()).toBe(false);
  });

  it('discovery: a watch whose promise rejects is a failed refresh, and calls fail fast with its cause', async () => {
    const boom = new Error('registry unreachable');
    const discovery = { watch: async () => { await Promise.resolve(); throw boom; } } as unknown as Discovery;
    const client = createClient({ name: 'users', discovery });
    const failed = await new Promise<{ error: unknown }>((resolve) => client.once('discoveryError', resolve));
    expect(failed.error).toBe(boom);
    const call = await client.execute(() => 'never').catch((err: unknown) => err);
    expect(call).toBeInstanceOf(NoEndpointsError);
    expect((call as NoEndpointsError).cause).toBe(boom);
    await client.close();
  });

  it('configuration: the client stops the source on close(), and so does the stop function watchConfig returned', async () => {
    const client = createClient({ name: 'users', discovery: ['127.0.0.1:1'] });
    const first = asyncSource<unknown>({ retry: { attempts: 2 } });
    const second = asyncSource<unknown>({ timeout: { total: 5_000 } });
    const rejected: unknown[] = [];
    client.on('configRejected', ({ error }) => rejected.push(error));
    const stopFirst = client.watchConfig(first as unknown as ConfigSource);
    client.watchConfig(second as unknown as ConfigSource);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([first.running(), second.running()]).toEqual([true, true]);
    expect(rejected).toEqual([]);
    await stopFirst();
    expect([first.running(), second.running()]).toEqual([false, true]);
    await client.close();
    expect(second.running()).toBe(false);
  });
});
