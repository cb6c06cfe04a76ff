import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, type Binary } from './binaries.js';
import { closeAfterEach, type Lifecycle } from './lifecycle.js';

/** Records a dnsmasq serves: addresses (from a hosts file, reloaded on SIGHUP) and SRV records (restart to change). */
export interface DnsRecords {
  /** `name → addresses`, served with the `ttl` of the server. */
  readonly hosts?: Readonly<Record<string, readonly string[]>>;
  /** `--srv-host` values: `'_http._tcp.svc.internal,target,port,priority,weight'`. */
  readonly srv?: readonly string[];
  /** Further dnsmasq options, e.g. `'--host-record=long.internal,127.0.0.2,3600'` (a record with its own TTL). */
  readonly args?: readonly string[];
}

/** A real dnsmasq on 127.0.0.1, authoritative for `*.internal` (other names are NXDOMAIN). */
export interface Dnsmasq {
  readonly port: number;
  /** `127.0.0.1:port`, for a resolver's `servers`. */
  readonly server: string;
  /** Queries dnsmasq logged so far, optionally only those for `name`. */
  queries(name?: string): Promise<number>;
  /** Rewrites the hosts file and sends SIGHUP: address changes without a restart. */
  setHosts(hosts: Readonly<Record<string, readonly string[]>>): Promise<void>;
  /** Stops dnsmasq (the port stays free, queries are refused). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with new SRV records if given. */
  start(records?: DnsRecords): Promise<void>;
  /** SIGSTOP / SIGCONT: queries reach a server that does not answer. */
  pause(): void;
  resume(): void;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

/**
 * Starts `binary` (dnsmasq) on a free port of 127.0.0.1 with `records`, TTL `ttl` seconds for
 * the hosts file, queries logged to a file; resolves once it answers.
 *
 * @example
 * const dns = await startDnsmasq(dnsmasq.path!, { hosts: { 'api.internal': ['127.0.0.2'] } }, 1);
 */
export async function startDnsmasq(binary: string, records: DnsRecords, ttl: number): Promise<Dnsmasq> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-dnsmasq-'));
  // dnsmasq started as root drops to "nobody": the files it re-reads must be readable by it.
  await chmod(dir, 0o755);
  const hostsFile = join(dir, 'hosts');
  const logFile = join(dir, 'queries.log');
  const port = await freePort();
  let srv = records.srv ?? [];
  let extra = records.args ?? [];
  let child: ChildProcess | undefined;

  const writeHosts = async (hosts: Readonly<Record<string, readonly string[]>>): Promise<void> => {
    const lines = Object.entries(hosts).flatMap(([name, addresses]) => addresses.map((a) => `${a} ${name}`));
    await writeFile(`${hostsFile}.tmp`, `${lines.join('\n')}\n`, { mode: 0o644 });
    await chmod(`${hostsFile}.tmp`, 0o644);
    await rename(`${hostsFile}.tmp`, hostsFile);
  };

  const start = async (next?: DnsRecords): Promise<void> => {
    if (next?.srv !== undefined) srv = next.srv;
    if (next?.args !== undefined) extra = next.args;
    if (next?.hosts !== undefined) await writeHosts(next.hosts);
    const args = [
      '--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
      '--conf-file=/dev/null', '--pid-file=', '--local=/internal/', `--addn-hosts=${hostsFile}`, `--local-ttl=${ttl}`,
      '--log-queries', `--log-facility=${logFile}`, ...srv.map((s) => `--srv-host=${s}`), ...extra,
    ];
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    child = proc;
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`dnsmasq exited (${code}): ${stderr}`))));
    exited.catch(() => {});
    // Ready once it answers at all (NXDOMAIN is an answer).
    const probe = new Resolver({ timeout: 200, tries: 1 });
    probe.setServers([`127.0.0.1:${port}`]);
    for (let i = 0; ; i++) {
      const answered = await Promise.race([
        probe.resolve4('ready.probe.internal').then(() => true, (e: { code?: string }) => e.code === 'ENOTFOUND' || e.code === 'ENODATA'),
        exited,
      ]);
      if (answered) break;
      if (i > 100) throw new Error(`dnsmasq did not answer on port ${port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
    await gone;
  };

  await writeHosts(records.hosts ?? {});
  await start();
  return {
    port,
    server: `127.0.0.1:${port}`,
    async queries(name) {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      return text.split('\n').filter((l) => /query\[/.test(l) && !l.includes('ready.probe.internal') && (name === undefined || l.includes(` ${name} from`))).length;
    },
    async setHosts(hosts) {
      await writeHosts(hosts);
      child?.kill('SIGHUP');
      // dnsmasq re-reads the file on the signal; a moment for it to do so.
      await new Promise((r) => setTimeout(r, 100));
    },
    stop,
    start,
    pause() { child?.kill('SIGSTOP'); },
    resume() { child?.kill('SIGCONT'); },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What {@link dnsmasqPerTest} gives a test file. */
export interface DnsmasqFixture extends Lifecycle {
  /** The dnsmasq binary (for `describeWith`: missing, its tests are skipped or, under CI, fail). */
  readonly binary: Binary;
  /** Starts a dnsmasq serving `records` (hosts file TTL 1 s), stopped after the test. */
  dns(records: DnsRecords): Promise<Dnsmasq>;
}

/**
 * The set-up of a test file that runs dnsmasq: finds the binary and registers the cleanup after
 * each test (call it once, at the top of the file).
 *
 * @example
 * const { binary, dns, track } = dnsmasqPerTest();
 * describeWith(binary, 'dnsDiscovery', () => { it('…', async () => { const server = await dns({ hosts: { 'a.internal': ['127.0.0.2'] } }); }); });
 */
export function dnsmasqPerTest(): DnsmasqFixture {
  const binary = findBinary('dnsmasq', ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'], 'dnsmasq-base');
  const lifecycle = closeAfterEach();
  return {
    ...lifecycle,
    binary,
    async dns(records) {
      const server = await startDnsmasq(binary.path!, records, 1);
      lifecycle.defer(() => server.close());
      return server;
    },
  };
}
