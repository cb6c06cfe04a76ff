// What the real-ZooKeeper test files share: one server per file, an admin client to arrange
// znodes with, and client factories for the adapters.
import zookeeper, { type Client as ZkClient } from 'node-zookeeper-client';
import { afterAll, beforeAll } from 'vitest';
import type { ClientEvents, createClient } from '../../src/index.js';
import { sleep } from './lifecycle.js';
import { START_MS, ZookeeperServer } from './zookeeper-server.js';

/** Session timeout of the test clients: short, so expiry tests are quick (ZooKeeper's minimum here is 500 ms). */
export const SESSION_MS = 2_000;

type Callback<T> = (e: unknown, r: T) => void;

/** A callback-style call as a promise. */
export const call = <T>(fn: (cb: Callback<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));

/** How long {@link connected} waits for a session before it gives up with an error naming the server. */
export const CONNECT_MS = 20_000;

/** A fresh, connected node-zookeeper-client client; rejects (and closes it) if no session opens within {@link CONNECT_MS}. */
export async function connected(conn: string, timeout = SESSION_MS): Promise<ZkClient> {
  const c = zookeeper.createClient(conn, { sessionTimeout: timeout, spinDelay: 100 });
  c.connect();
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      c.once('connected', () => resolve());
      timer = setTimeout(() => reject(new Error(`no ZooKeeper session with ${conn} within ${CONNECT_MS / 1000} s`)), CONNECT_MS);
    });
  } catch (e) {
    c.close();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return c;
}

/** A bulwark record's JSON for 127.0.0.1:`port`. */
export const bulwark = (port: number, extra: Record<string, unknown> = {}): string => JSON.stringify({ host: '127.0.0.1', port, ...extra });

/** A client's endpoint URLs, sorted. */
export const urls = (c: { endpoints(): readonly { url: string }[] }): string[] => c.endpoints().map((e) => e.url).sort();

/** Collects a client's events of one kind. */
export function events<K extends keyof ClientEvents>(client: ReturnType<typeof createClient>, name: K): ClientEvents[K][0][] {
  const seen: ClientEvents[K][0][] = [];
  client.on(name, ((e: ClientEvents[K][0]) => seen.push(e)) as never);
  return seen;
}

/** Polls an asynchronous condition every 50 ms, for at most `ms`. */
export async function eventually(done: () => Promise<boolean>, ms: number): Promise<void> {
  for (let waited = 0; waited < ms && !(await done()); waited += 50) await sleep(50);
}

/** Timers and sockets alive now, by kind. */
export function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (r === 'Timeout' || r === 'TCPSocketWrap' || r === 'TCPWRAP') counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** No kind of resource more numerous in `now` than in `before`. */
export function noMoreThan(now: Record<string, number>, before: Record<string, number>): boolean {
  return Object.entries(now).every(([kind, n]) => n <= (before[kind] ?? 0));
}

/** The file's ZooKeeper and its admin client; the fields are set in `beforeAll`. */
export interface ZookeeperFixture {
  server: ZookeeperServer;
  admin: ZkClient;
  /** A client function for the adapters (to the server, or to `conn`), remembering what it made. */
  factory(conn?: string): { make: () => ZkClient; made: ZkClient[] };
  /** A path no other test uses. */
  fresh(): string;
  /** Replaces the admin client (after a server restart). */
  reconnectAdmin(): Promise<void>;
  mkdirp(path: string): Promise<string>;
  put(path: string, data: string, mode?: number, client?: ZkClient): Promise<string>;
  set(path: string, data: string): Promise<unknown>;
  del(path: string): Promise<unknown>;
  children(path: string): Promise<string[]>;
}

/** Starts a ZooKeeper for the test file (`beforeAll`) and stops it (`afterAll`). Call inside the file's `describe`. */
export function useZookeeper(): ZookeeperFixture {
  let paths = 0;
  const fx: ZookeeperFixture = {
    server: undefined as unknown as ZookeeperServer,
    admin: undefined as unknown as ZkClient,
    factory(conn) {
      const made: ZkClient[] = [];
      return { made, make: () => { const c = zookeeper.createClient(conn ?? fx.server.connectionString, { sessionTimeout: SESSION_MS, spinDelay: 100 }); made.push(c); return c; } };
    },
    fresh: () => `/services/t${++paths}-${process.pid}`,
    async reconnectAdmin() {
      fx.admin.close();
      fx.admin = await connected(fx.server.connectionString);
    },
    mkdirp: (path) => call((cb) => fx.admin.mkdirp(path, cb)),
    put: (path, data, mode = zookeeper.CreateMode.PERSISTENT, client = fx.admin) => call((cb) => client.create(path, Buffer.from(data), mode, cb)),
    set: (path, data) => call((cb) => fx.admin.setData(path, Buffer.from(data), -1, cb)),
    del: (path) => call<void>((cb) => fx.admin.remove(path, -1, (e) => cb(e, undefined))),
    children: (path) => call((cb) => fx.admin.getChildren(path, (e, c) => cb(e, c))),
  };
  // Longer than vitest's 30 s hook timeout: a slow start fails with our message (which step,
  // which port, ZooKeeper's stderr), not with vitest's bare "hook timed out".
  beforeAll(async () => {
    fx.server = await ZookeeperServer.start();
    fx.admin = await connected(fx.server.connectionString);
  }, START_MS + CONNECT_MS + 5_000);
  afterAll(async () => {
    fx.admin?.close();
    await fx.server?.close();
  });
  return fx;
}
