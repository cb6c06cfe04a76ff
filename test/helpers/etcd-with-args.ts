// A real etcd (Debian etcd-server) with extra flags (auth token TTL, …): on free ports of
// 127.0.0.1, its own data dir; killed and removed by close().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './binaries.js';
import { etcdBinary } from './etcd.js';
import { sleep } from './lifecycle.js';

export class ExtraEtcd {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  private constructor(readonly dir: string, readonly url: string, readonly args: string[]) {}

  static async start(extra: string[]): Promise<ExtraEtcd> {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-etcd-args-'));
    const url = `http://127.0.0.1:${await freePort()}`;
    const peer = `http://127.0.0.1:${await freePort()}`;
    const s = new ExtraEtcd(dir, url, [
      '--name', 'extra', '--data-dir', join(dir, 'data'),
      '--listen-client-urls', url, '--advertise-client-urls', url,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `extra=${peer}`, '--initial-cluster-state', 'new', ...extra,
    ]);
    await s.resume();
    return s;
  }

  async resume(): Promise<void> {
    if (this.#child !== undefined) return;
    const child = spawn(etcdBinary.path!, this.args, { stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => { if (this.#child === child) this.#child = undefined; resolve(); }));
    for (let waited = 0; waited < 20_000; waited += 50) {
      if (this.#child !== child) throw new Error('etcd exited at start');
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) });
        // With auth on, /health may say false without a token; the port answering is enough.
        if (res.status < 600) return;
      } catch { /* not yet */ }
      await sleep(50);
    }
    throw new Error('etcd not up after 20 s');
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** Kills etcd and wipes its data: the next resume() starts a new cluster (revisions from 1). */
  async wipe(): Promise<void> {
    await this.kill();
    await rm(join(this.dir, 'data'), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
