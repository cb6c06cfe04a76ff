import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, type Binary } from './binaries.js';

const JAR = '/usr/share/java/zookeeper.jar';

/**
 * How long {@link ZookeeperServer.run} waits for the server to answer. The JVM starts in about a
 * second on an idle machine, several under a full test run on two cores.
 */
export const START_MS = 40_000;
const java = findBinary('java', ['/usr/bin/java'], 'zookeeper');

/** Java plus Debian's ZooKeeper jars: what the real-ZooKeeper tests need (`apt-get install -y zookeeper`). */
export const zookeeperBinary: Binary = java.path !== undefined && existsSync(JAR)
  ? java
  : { path: undefined, install: 'ZooKeeper is not installed: apt-get update && apt-get install -y zookeeper' };

/**
 * A real ZooKeeper (ZooKeeperServerMain, standalone) on 127.0.0.1 on a free port, with its own
 * data directory. Its tick is 250 ms, so sessions may be as short as 500 ms (ZooKeeper allows
 * 2 to 20 ticks); the admin HTTP server is off, so several can run at once.
 */
export class ZookeeperServer {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number, readonly dir: string) {}

  /** `127.0.0.1:port`: the connection string for node-zookeeper-client. */
  get connectionString(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<ZookeeperServer> {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-zk-'));
    const server = new ZookeeperServer(await freePort(), dir);
    await writeFile(join(dir, 'zoo.cfg'), [
      'tickTime=250', `dataDir=${join(dir, 'data')}`, `clientPort=${server.port}`, 'clientPortAddress=127.0.0.1',
      'admin.enableServer=false', '4lw.commands.whitelist=ruok', 'maxClientCnxns=0', '',
    ].join('\n'));
    await server.run();
    return server;
  }

  /** Starts the server process (again, on the same port and data directory) and waits until it answers. */
  async run(): Promise<void> {
    const child = spawn(zookeeperBinary.path!, [
      '-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto',
      '-cp', `${JAR}:/usr/share/java/*`, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(this.dir, 'zoo.cfg'),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
    this.process = child;
    // Elapsed time, not loop turns: one `ruok` may itself take up to a second on a loaded machine.
    const started = Date.now();
    while (Date.now() - started < START_MS) {
      if (child.exitCode !== null) throw new Error(`ZooKeeper exited with ${child.exitCode}: ${stderr}`);
      if (await ruok(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`ZooKeeper did not answer ruok on port ${this.port} within ${START_MS / 1000} s: ${stderr}`);
  }

  /** SIGKILLs the server (no clean shutdown) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Kills the server and removes its data directory. */
  async close(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** True when a ZooKeeper on `port` answers `ruok` with `imok`. */
function ruok(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on('connect', () => socket.end('ruok'));
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer === 'imok'));
  });
}

/**
 * A TCP proxy to ZooKeeper on 127.0.0.1 that can cut the network: while cut, every connection
 * through it is dropped at once, while the server itself keeps running — so it expires the
 * sessions of clients behind the proxy once their timeout passes, as a real partition does.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private isCut = false;
  private isSilent = false;
  /** Connections {@link mute} silenced (keyed by their inbound socket). */
  private readonly muted = new WeakSet<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  get connectionString(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy: { current?: TcpProxy } = {};
    const server = createServer((inbound) => {
      const self = proxy.current!;
      if (self.isCut) {
        inbound.destroy();
        return;
      }
      if (self.isSilent) {
        // Accepted, never answered: held open until the proxy closes.
        self.sockets.add(inbound);
        inbound.on('error', () => {});
        inbound.on('close', () => self.sockets.delete(inbound));
        return;
      }
      const outbound = connect(targetPort, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        self.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          self.sockets.delete(s);
          // A muted path carries no FIN or RST either: the server closing its end is not passed on.
          if (self.muted.has(inbound)) return;
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.on('data', (data: Buffer) => {
        if (!self.muted.has(inbound)) outbound.write(data);
      });
      outbound.on('data', (data: Buffer) => {
        if (!self.muted.has(inbound)) inbound.write(data);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.current = new TcpProxy(server, (server.address() as AddressInfo).port);
    return proxy.current;
  }

  /** Drops every connection, and every new one until {@link heal}. */
  cut(): void {
    this.isCut = true;
    for (const s of this.sockets) s.destroy();
  }

  /**
   * Drops every connection, then accepts new ones and never answers them (a server that is
   * starting, a half-open path), until {@link heal}; those stay hung after it.
   */
  silence(): void {
    this.isSilent = true;
    for (const s of this.sockets) s.destroy();
  }

  /**
   * The connections open now go silent: nothing is forwarded either way and nothing closed, as
   * over a partition that drops packets or to a frozen server. New connections get through.
   */
  mute(): void {
    for (const s of this.sockets) this.muted.add(s);
  }

  heal(): void {
    this.isCut = false;
    this.isSilent = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
