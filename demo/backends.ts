// The demo's fleet of backends: spawning them as child processes, killing and restarting the
// one that dies, and the failure schedule each load phase replays.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export type Behaviour = 'healthy' | 'slow' | 'flaky';

export interface BackendSpec {
  readonly name: string;
  /** What the view says about it. */
  readonly role: string;
  readonly behaviour: Behaviour;
  /** Whether the schedule kills and restarts it. */
  readonly dies?: boolean;
}

/** Milliseconds into each phase at which the dying backend is killed, and restarted. */
export const KILL_AT = 4_000;
export const RESTART_AT = 9_000;

export const SPECS: readonly BackendSpec[] = [
  { name: 'healthy-1', role: '5–10 ms', behaviour: 'healthy' },
  { name: 'healthy-2', role: '5–10 ms', behaviour: 'healthy' },
  { name: 'healthy-3', role: '5–10 ms', behaviour: 'healthy' },
  { name: 'slow', role: '150–300 ms', behaviour: 'slow' },
  { name: 'flaky', role: '30 % → 503', behaviour: 'flaky' },
  { name: 'crashing', role: `dies ${KILL_AT / 1000}–${RESTART_AT / 1000} s`, behaviour: 'healthy', dies: true },
];

const SCRIPT = new URL('./backend.ts', import.meta.url);

export interface Backend {
  readonly spec: BackendSpec;
  readonly port: number;
  /** `127.0.0.1:port`, the key every per-endpoint table in the demo uses. */
  readonly host: string;
  readonly url: string;
  child: ChildProcess | undefined;
}

async function spawnBackend(spec: BackendSpec, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SCRIPT, [spec.name, spec.behaviour, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`backend ${spec.name} exited (${code}) before listening`)));
  });
  return { child, port: await ready };
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

export class Fleet {
  readonly backends: Backend[];
  #stopped = false;

  private constructor(backends: Backend[]) {
    this.backends = backends;
  }

  static async start(specs: readonly BackendSpec[] = SPECS): Promise<Fleet> {
    const started = await Promise.all(
      specs.map(async (spec) => {
        const { child, port } = await spawnBackend(spec, 0);
        return { spec, port, host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, child };
      }),
    );
    return new Fleet(started);
  }

  get urls(): string[] {
    return this.backends.map((b) => b.url);
  }

  /**
   * Starts one phase's failure schedule: the dying backend is killed KILL_AT ms from now and
   * restarted on its old port at RESTART_AT, so clients that keep the URL find it again.
   * Returns a function that cancels what has not happened yet.
   */
  startSchedule(log: (text: string) => void): () => void {
    const timers: NodeJS.Timeout[] = [];
    for (const backend of this.backends) {
      if (backend.spec.dies !== true) continue;
      timers.push(
        setTimeout(() => {
          log(`killed ${backend.spec.name} (SIGKILL)`);
          void kill(backend.child);
        }, KILL_AT),
        setTimeout(() => void this.#restart(backend, log), RESTART_AT),
      );
    }
    return () => timers.forEach(clearTimeout);
  }

  async #restart(backend: Backend, log: (text: string) => void): Promise<void> {
    await kill(backend.child);
    const { child } = await spawnBackend(backend.spec, backend.port);
    // stop() may have run while the new process was starting up.
    if (this.#stopped) return kill(child);
    backend.child = child;
    log(`restarted ${backend.spec.name} on :${backend.port}`);
  }

  /** Brings every backend back up, so each phase starts from the same fleet. */
  async reviveAll(): Promise<void> {
    await Promise.all(
      this.backends.map(async (b) => {
        if (b.child !== undefined && b.child.exitCode === null && b.child.signalCode === null) return;
        b.child = (await spawnBackend(b.spec, b.port)).child;
      }),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.backends.map((b) => kill(b.child)));
  }
}
