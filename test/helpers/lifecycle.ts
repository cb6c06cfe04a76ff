import { afterEach } from 'vitest';
import type { Client } from '../../src/index.js';
import { startServers, type Handler, type TestServer } from './servers.js';

/** What {@link closeAfterEach} gives a test file. */
export interface Lifecycle {
  /** Closes `thing` (a client, a server) after the test. */
  track<T extends { close(): Promise<void> } | Client>(thing: T): T;
  /** Starts real servers on 127.0.0.1, closed after the test. */
  servers(...handlers: Handler[]): Promise<TestServer[]>;
  /** Runs `fn` after the test, before what was tracked earlier. */
  defer(fn: () => Promise<void>): void;
}

/**
 * Registers an `afterEach` that closes, newest first, everything the test started: call it once
 * at the top of a test file.
 *
 * @example
 * const { track, servers } = closeAfterEach();
 * const [a] = await servers(ok());
 * const client = track(createClient({ name: 'svc', discovery: [a!.url] }));
 */
export function closeAfterEach(): Lifecycle {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  return {
    track(thing) {
      cleanups.push(() => thing.close() as Promise<void>);
      return thing;
    },
    async servers(...handlers) {
      const started = await startServers(handlers);
      cleanups.push(() => started.closeAll());
      return started;
    },
    defer(fn) {
      cleanups.push(fn);
    },
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `done` every 5 ms until it holds; throws if it still does not after `ms`, so a test
 * that waits for something cannot pass when it never happens. (To wait for something that
 * should NOT happen, `sleep` and then assert.)
 */
export async function until(done: () => boolean | Promise<boolean>, ms = 2_000): Promise<void> {
  const started = performance.now();
  while (!(await done())) {
    if (performance.now() - started >= ms) throw new Error(`until: the condition did not hold within ${ms} ms`);
    await sleep(5);
  }
}

/** Runs `calls` calls, `concurrency` at a time; returns how many failed (rejected or not 2xx). */
export async function load(call: (i: number) => Promise<Response>, calls: number, concurrency: number): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      const i = next++;
      try {
        const res = await call(i);
        if (!res.ok) failed++;
        await res.arrayBuffer();
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failed;
}

/** TCP sockets open in this process (the client ends of loopback connections; a server's ends may count too). */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/**
 * Runs `fn`, recording the uncaught exceptions thrown meanwhile and for `settle` ms after it
 * settles (an error with no listener surfaces a tick or two later): a test then asserts there were none.
 */
export async function withUncaught<T>(fn: () => Promise<T>, settle = 100): Promise<{ result: T; errors: string[] }> {
  const errors: string[] = [];
  const on = (e: unknown): void => { errors.push(String((e as Error)?.message ?? e)); };
  process.on('uncaughtException', on);
  try {
    const result = await fn();
    await sleep(settle);
    return { result, errors };
  } finally {
    process.off('uncaughtException', on);
  }
}
