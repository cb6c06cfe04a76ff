// A real etcd for the tests (Debian `etcd-server`), on free ports of 127.0.0.1 with its own data
// dir: started, killed, restarted on the same ports and data, removed after. And a TCP proxy
// that can cut a client off from it while etcd itself stays up.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBinary, freePort } from './binaries.js';
import { sleep } from './lifecycle.js';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll } from 'vitest';

/** The etcd binary, or a hint to install it. */
export const etcdBinary = findBinary('etcd', ['/usr/bin/etcd', '/usr/local/bin/etcd'], 'etcd-server');

/** One single-member etcd cluster. */
export class EtcdServer {
  readonly url: string;
  readonly dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly #args: string[];
  /** The end of what the process last wrote (its reason, when it exits at start). */
  #output = '';

  private constructor(dir: string, clientPort: number, peerPort: number) {
    this.dir = dir;
    this.url = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    this.#args = [
      '--name', 'bulwark-test',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', this.url, '--advertise-client-urls', this.url,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `bulwark-test=${peer}`, '--initial-cluster-state', 'new',
    ];
  }

  /**
   * Starts etcd on free ports with a fresh data dir; resolves once it is healthy. A port found
   * free may be taken by another test file's server before etcd binds it ("address already in
   * use"): then it starts again on other ports, up to three times.
   */
  static async start(): Promise<EtcdServer> {
    for (let tries = 1; ; tries++) {
      const dir = await mkdtemp(join(tmpdir(), 'bulwark-etcd-'));
      const server = new EtcdServer(dir, await freePort(), await freePort());
      try {
        await server.resume();
        return server;
      } catch (err) {
        if (tries >= 3 || !server.#output.includes('address already in use')) throw err;
        await server.close();
      }
    }
  }

  /** Whether the process runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the process again (same ports, same data); resolves once it is healthy. */
  async resume(): Promise<void> {
    if (this.#child !== undefined) return;
    const log = createWriteStream(join(this.dir, 'etcd.log'), { flags: 'a' });
    const child = spawn(etcdBinary.path!, this.#args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.#output = '';
    child.stderr!.on('data', (chunk: Buffer) => { this.#output = (this.#output + chunk.toString()).slice(-4_000); });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
      resolve();
    }));
    for (let waited = 0; ; waited += 50) {
      if (this.#child !== child) throw new Error(`etcd exited at start; see ${join(this.dir, 'etcd.log')}`);
      if (await this.#healthy()) return;
      if (waited > 20_000) throw new Error(`etcd not healthy after 20 s; see ${join(this.dir, 'etcd.log')}`);
      await sleep(50);
    }
  }

  /** Kills the process (SIGKILL by default: a crash) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill(signal);
    await this.#exited;
  }

  /** Kills etcd and removes its data. */
  async close(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  async #healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { health?: string };
      return body.health === 'true';
    } catch {
      return false;
    }
  }
}

/**
 * A TCP proxy to `target`: `cut()` drops every connection and refuses new ones (to the
 * client behind it, etcd is gone), `restore()` lets them through again.
 */
export class TcpProxy {
  readonly url: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #open = true;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(target: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(target);
    let proxy!: TcpProxy;
    const server = createServer((client) => {
      if (!proxy.#open) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(port), hostname);
      for (const s of [client, upstream]) {
        proxy.#sockets.add(s);
        s.on('close', () => proxy.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  cut(): void {
    this.#open = false;
    for (const s of this.#sockets) s.destroy();
  }

  restore(): void {
    this.#open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * Builds `bulwark` and `bulwark/etcd` into a temp dir of their own (tsup, no types), for child
 * processes that run the package as a user does: dist/ may be rebuilt (and emptied) by another
 * test run while they start. Returns the two entry files and how to remove the build.
 */
export async function buildForChildren(): Promise<{ index: string; etcd: string; etcd3: string; remove(): Promise<void> }> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  // Inside the checkout, not the system temp dir: the build imports its dependencies (p-retry,
  // cockatiel) by name, and Node finds them only in a node_modules on the path up from the file.
  const cache = join(root, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  const out = await mkdtemp(join(cache, 'bulwark-etcd-build-'));
  const tsup = join(root, 'node_modules/tsup/dist/cli-default.js');
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [tsup, 'src/index.ts', 'src/etcd/index.ts', '--format', 'esm', '--out-dir', out, '--no-dts', '--silent', '--no-config', '--external', 'etcd3'], { cwd: root }, (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
  });
  return {
    index: join(out, 'index.js'),
    etcd: join(out, 'etcd/index.js'),
    etcd3: join(root, 'node_modules/etcd3/lib/index.js'),
    remove: () => rm(out, { recursive: true, force: true }),
  };
}

/**
 * A real etcd for one `describe` block and an etcd3 client of it: started before its tests,
 * closed after them. Read `server` and `etcd` inside tests (they are set in `beforeAll`).
 *
 * @example
 * const fx = useEtcd();
 * it('…', async () => { await fx.etcd.put('k').value('v'); });
 */
export function useEtcd(): { readonly server: EtcdServer; readonly etcd: Etcd3 } {
  const fx = {} as { server: EtcdServer; etcd: Etcd3 };
  beforeAll(async () => {
    fx.server = await EtcdServer.start();
    fx.etcd = new Etcd3({ hosts: fx.server.url });
  });
  afterAll(async () => {
    fx.etcd?.close();
    await fx.server?.close();
  });
  return fx;
}
