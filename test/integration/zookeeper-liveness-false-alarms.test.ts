// What broke (found by the diff review of the silent-connection check): the check's question
// timed out on a timer of its own and then dropped whatever connection the client had by then.
// - A connection lost while a question was in flight, which node-zookeeper-client (`retries: 1`)
//   asked again once it had reconnected: the timeout dropped the new, healthy connection too.
// - An event loop blocked for longer than `requestTimeout`: due timers run before sockets are
//   read, so the answer waiting in the socket was not seen, and a healthy connection was dropped.
// - A client of the user's (a wrapper) whose `getState()` throws: the check's timer threw it,
//   an uncaught exception that ended the process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import zookeeper, { type Client as ZkClient } from 'node-zookeeper-client';
import { expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { zookeeperDiscovery } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { bulwark, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { TcpProxy, zookeeperBinary } from '../helpers/zookeeper-server.js';

/** A connected node-zookeeper-client client to `conn` (6 s sessions), closed after the test, counting its disconnections. */
async function counted(conn: string, defer: (fn: () => Promise<void>) => void, options: { retries?: number } = {}): Promise<{ inner: ZkClient; disconnects: () => number }> {
  const inner = zookeeper.createClient(conn, { sessionTimeout: 6_000, spinDelay: 100, ...options });
  inner.connect();
  await new Promise<void>((done) => inner.once('connected', () => done()));
  defer(async () => { inner.close(); });
  let disconnects = 0;
  inner.on('disconnected', () => disconnects++);
  return { inner, disconnects: () => disconnects };
}

/** Runs `exists` as given, and `onQuestion` at the first question of the check (an exists without a watcher) once armed. */
function onNextQuestion(inner: ZkClient, onQuestion: () => void): () => void {
  let armed = false;
  const real = inner.exists.bind(inner) as (...args: unknown[]) => void;
  (inner as unknown as { exists: unknown }).exists = (...args: unknown[]) => {
    real(...args);
    if (armed && args.length === 2) {
      armed = false;
      onQuestion();
    }
  };
  return () => { armed = true; };
}

describeWith(zookeeperBinary, 'the silent-connection check raises no false alarm (real ZooKeeper)', () => {
  const { track, defer } = closeAfterEach();
  const zk = useZookeeper();

  async function watched(inner: ZkClient): Promise<void> {
    const path = zk.fresh();
    await zk.mkdirp(path);
    await zk.put(`${path}/a`, bulwark(8001));
    const client = track(createClient({ name: 'svc', discovery: zookeeperDiscovery({ client: inner, path, requestTimeout: 1_000, backoff: { min: 100, max: 500 } }) }));
    await until(() => client.endpoints().length === 1, 20_000);
  }

  it('a connection lost while a question was in flight is lost once: the new connection stays', async () => {
    const proxy = await TcpProxy.start(zk.server.port);
    defer(() => proxy.close());
    const { inner, disconnects } = await counted(proxy.connectionString, defer, { retries: 1 });
    let asked = false;
    const arm = onNextQuestion(inner, () => {
      asked = true;
      proxy.mute(); // the question does not reach the server …
      // … and 300 ms later the connection closes (a server restart); a new one works at once.
      setTimeout(() => { proxy.cut(); proxy.heal(); }, 300);
    });
    await watched(inner);
    arm();
    await until(() => asked && disconnects() >= 1, 10_000);
    await sleep(2_500);
    expect(disconnects()).toBe(1);
    expect(inner.getState().code).toBe(zookeeper.State.SYNC_CONNECTED.code);
  });

  it('an event loop blocked for longer than requestTimeout does not drop a healthy connection', async () => {
    const { inner, disconnects } = await counted(zk.server.connectionString, defer);
    let stalled = false;
    const arm = onNextQuestion(inner, () => {
      setImmediate(() => {
        const end = performance.now() + 1_200;
        while (performance.now() < end);
        stalled = true;
      });
    });
    await watched(inner);
    arm();
    await until(() => stalled, 10_000);
    await sleep(500);
    expect(disconnects()).toBe(0);
  });
});

it("a client of the user's whose getState() throws does not end the process from the check's timer", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-zk-'));
  try {
    const dist = (file: string): string => JSON.stringify(pathToFileURL(resolve(__dirname, '../../dist', file)).href);
    const script = join(dir, 'throwing-client.mjs');
    writeFileSync(script, [
      `import { createClient } from ${dist('index.js')};`,
      `import { zookeeperDiscovery } from ${dist('zookeeper.js')};`,
      `const noop = () => {};`,
      `const wrapper = { connect: noop, close: noop, on: noop, removeListener: noop, getState() { throw new Error('wrapper: client gone'); },`,
      `  getSessionId: () => Buffer.alloc(8), getSessionTimeout: () => 300, getChildren: noop, getData: noop, exists: noop, create: noop, remove: noop, setData: noop, mkdirp: noop };`,
      `const c = createClient({ name: 's', discovery: zookeeperDiscovery({ client: wrapper, path: '/x', backoff: { min: 50, max: 100 } }) });`,
      `let reported = 0;`,
      `c.on('discoveryError', () => reported++);`,
      `await new Promise((r) => setTimeout(r, 1_000));`,
      `await c.close();`,
      `console.log('survived', reported > 0);`,
    ].join('\n'));
    const run = spawnSync(process.execPath, [script], { timeout: 10_000, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('survived true');
    expect(run.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
