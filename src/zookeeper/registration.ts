// zookeeperRegistration (docs/architecture.md, "Discovery adapters"): a service registers itself
// as an ephemeral znode, in the record format its readers expect, as Curator's ServiceDiscovery
// does: parents created when missing, a stale node of an older session deleted and created
// again, the node created again after the session expired (with a client factory) or after it
// was deleted, and removed on stop.
import { codeOf, defaultRequestTimeout, isConnected, MODE, request, ZookeeperError, type ZookeeperClient, type ZookeeperEvent, type ZookeeperStat } from './client.js';
import { writeRecord, type ZookeeperInstance } from './formats.js';
import { resolveRegistrationOptions, type ResolvedRegistrationOptions, type ZookeeperRegistrationOptions } from './options.js';
import { Rounds } from './rounds.js';
import { Session } from './session.js';

const NO_NODE = -101;
const NODE_EXISTS = -110;
/** A request whose answer never came (the connection dropped, or ZooKeeper timed it out): it may have gone through. */
const ANSWER_LOST = new Set([-4, -7]); // CONNECTION_LOSS, OPERATION_TIMEOUT

/** A running self-registration: see {@link zookeeperRegistration}. */
export interface ZookeeperRegistration {
  /** Resolves with the node's full path once it was first created; rejects if stopped before. */
  readonly registered: Promise<string>;
  /** The node's full path now, `undefined` while it is not registered. */
  readonly node: string | undefined;
  /** Writes a new record for this instance (kept for later re-registrations); resolves once ZooKeeper has it. */
  update(instance: ZookeeperInstance): Promise<void>;
  /** Removes the node and stops; closes bulwark's own client. Resolves when done. */
  stop(): Promise<void>;
}

/**
 * Registers this service instance under `path` as an ephemeral znode holding its record
 * (bulwark's by default, or Curator's `ServiceInstance`, or a Finagle serverset member), so
 * that readers — `zookeeperDiscovery`, Curator, Finagle — find it while the process lives; a
 * crashed process's node disappears when its session times out. Failed attempts are retried
 * with backoff (each reported to `onError`); the node is created again after the session
 * expired (with a client factory) and after anyone deleted it; `stop()` removes it.
 *
 * @example
 * import zookeeper from 'node-zookeeper-client';
 * import { zookeeperRegistration } from 'bulwark/zookeeper';
 * const registration = zookeeperRegistration({
 *   client: () => zookeeper.createClient('zk1:2181'),
 *   path: '/services/users',
 *   instance: { host: '10.0.0.7', port: 8080 },
 * });
 * await registration.registered;
 * process.on('SIGTERM', () => void registration.stop());
 */
export function zookeeperRegistration(options: ZookeeperRegistrationOptions): ZookeeperRegistration {
  return new Registrar(resolveRegistrationOptions(options));
}

class Registrar implements ZookeeperRegistration {
  readonly registered: Promise<string>;
  private resolveRegistered!: (path: string) => void;
  private rejectRegistered!: (err: unknown) => void;
  private readonly controller = new AbortController();
  private readonly session: Session;
  private data: Buffer;
  private current: { readonly path: string; readonly session: string } | undefined;
  /** A sequential create whose answer was lost in this session: look for the node before creating another. */
  private lostCreate: string | undefined;
  /** The record a lost sequential create sent: its node, if it was made, holds that one. */
  private lostData: Buffer | undefined;
  /** The record the node holds now (as last written); `update` and a re-registration compare it with `data`. */
  private written: Buffer | undefined;
  /** Updates waiting for the node to hold the latest record (while it is being made). */
  private readonly waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** The raw answer of a create in flight: stop waits for it, so no node is left behind. */
  private creating: Promise<string | undefined> | undefined;
  private readonly rounds: Rounds;
  /** A client instance of the user's lost its connection (its session may live on): passes wait for its `connected`. */
  private offline = false;
  private stopping: Promise<void> | undefined;
  private readonly watch = (event: ZookeeperEvent): void => {
    if (this.controller.signal.aborted || event.path !== this.current?.path) return;
    this.markDirty(false);
  };

  constructor(private readonly options: ResolvedRegistrationOptions) {
    this.registered = new Promise<string>((resolve, reject) => {
      this.resolveRegistered = resolve;
      this.rejectRegistered = reject;
    });
    this.registered.catch(() => {});
    this.data = this.encode(options.instance);
    this.rounds = new Rounds(this.controller.signal, options.backoff, (err) => this.options.onError(err));
    this.session = new Session(options.client, options.path, {
      disconnected: () => {
        this.options.onError(new ZookeeperError('CONNECTION_LOSS', `lost the connection to ZooKeeper; ${options.path} stays registered while the session lives`, options.path));
        // A pass now waits for the connection, and replaces a client of ours that stays without
        // one for its whole session timeout (its node is gone then): a client that hangs
        // reconnecting would never say `connected` or `expired`. A client instance of the
        // user's cannot be replaced: it is left to reconnect, and its `connected` starts the
        // next pass (passes meanwhile would only report NOT_CONNECTED again and again for as
        // long as the outage lasts).
        if (this.session.owned) this.markDirty(true);
        else this.offline = true;
      },
      connected: () => {
        this.offline = false;
        this.markDirty(true);
      },
      expired: () => {
        // An instance's expired session is reported by the pass (it cannot open another).
        this.offline = false;
        this.current = undefined;
        this.markDirty(true);
      },
    }, options.requestTimeout);
    void this.rounds.run((signal) => this.ensure(signal));
  }

  get node(): string | undefined {
    return this.current?.path;
  }

  async update(instance: ZookeeperInstance): Promise<void> {
    const resolved = resolveRegistrationOptions({ ...this.options, instance, node: this.options.node });
    // Stopped: nothing will ever write it (the node is gone, or goes with the session).
    if (this.controller.signal.aborted) throw new ZookeeperError('NOT_CONNECTED', 'the registration was stopped', this.options.path);
    const data = this.encode(resolved.instance);
    this.data = data;
    const current = this.current;
    // Not registered yet, or registering again (the session expired, the node was deleted): the
    // create in flight may carry an older record; the loop writes this one once the node is in,
    // and the update resolves then (or rejects if stopped first).
    if (current === undefined) return this.whenWritten();
    try {
      const client = await this.session.ready(this.options.requestTimeout, this.controller.signal);
      const timeout = this.options.requestTimeout ?? defaultRequestTimeout(client);
      await this.write(client, current.path, timeout, this.controller.signal);
    } catch (err) {
      if (this.controller.signal.aborted) throw err;
      // The registration still converges: the loop writes `data`. A node deleted meanwhile is
      // being made again: the update resolves once it holds the record; any other failure is
      // the caller's to hear.
      this.markDirty(false);
      if (codeOf((err as { cause?: unknown }).cause) === NO_NODE) return this.whenWritten();
      throw err;
    }
  }

  /** Resolves once the node holds the latest record (`data`); rejects if stopped first. */
  private whenWritten(): Promise<void> {
    // The loop may have made the node with it already (while a failed write was being answered).
    if (this.current !== undefined && this.written === this.data) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Writes `data` (the latest record) to the node at `path`. */
  private async write(client: ZookeeperClient, path: string, timeout: number, signal: AbortSignal): Promise<void> {
    const data = this.data;
    await request<ZookeeperStat>('setData', path, timeout, signal, (cb) => client.setData(path, data, -1, cb));
    this.wrote(data);
  }

  /** The node holds `data` now; updates waiting for the latest record resolve once it is in. */
  private wrote(data: Buffer): void {
    this.written = data;
    if (data === this.data) for (const w of this.waiting.splice(0)) w.resolve();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.controller.abort();
      this.rejectRegistered(new ZookeeperError('NOT_CONNECTED', 'the registration was stopped before it was registered', this.options.path));
      for (const w of this.waiting.splice(0)) w.reject(new ZookeeperError('NOT_CONNECTED', 'the registration was stopped before ZooKeeper had the record', this.options.path));
      const client = await this.clientToRemoveWith();
      // Disconnected, the node can not be removed now; it goes when the session ends.
      if (client !== undefined && isConnected(client)) {
        const timeout = this.options.requestTimeout ?? defaultRequestTimeout(client);
        const late = this.creating === undefined ? undefined : await withLimit(this.creating, timeout);
        const paths = new Set([this.current?.path, late].filter((p): p is string => p !== undefined));
        const signal = new AbortController().signal;
        for (const path of paths) {
          await request<void>('remove', path, timeout, signal, (cb) => client.remove(path, -1, (e) => cb(e, undefined))).catch(() => {});
        }
      }
      this.current = undefined;
      await this.session.close();
    })();
    return this.stopping;
  }

  /**
   * The client to remove the node with. Bulwark's own client is closed next, and the node goes
   * with its session; a client of the user's lives on, and so would the node: it gets up to
   * `requestTimeout` to reconnect, and a node left because it did not is reported to `onError`.
   */
  private async clientToRemoveWith(): Promise<ZookeeperClient | undefined> {
    const client = this.session.current;
    if (client === undefined || isConnected(client) || this.session.owned) return client;
    if (this.current === undefined && this.creating === undefined) return client;
    try {
      return await this.session.ready(this.options.requestTimeout, new AbortController().signal);
    } catch {
      const path = this.current?.path ?? this.options.path;
      this.options.onError(new ZookeeperError('NOT_CONNECTED', `stopped while ZooKeeper was unreachable: ${path} stays registered while your client's session lives`, path));
      return undefined;
    }
  }

  private encode(instance: ZookeeperInstance): Buffer {
    const { format, node, sequential, path } = this.options;
    const name = path === '/' ? '' : path.slice(path.lastIndexOf('/') + 1);
    return Buffer.from(writeRecord(instance, format, node, name, sequential, Date.now()));
  }

  private markDirty(cutBackoff: boolean): void {
    this.rounds.mark(cutBackoff);
  }

  /** Makes sure this session holds the node, creating it if needed, and watches it. */
  private async ensure(signal: AbortSignal): Promise<void> {
    if (this.offline) return;
    const client = await this.session.ready(this.options.requestTimeout, signal);
    const timeout = this.options.requestTimeout ?? defaultRequestTimeout(client);
    const session = client.getSessionId().toString('hex');
    const current = this.current;
    if (current !== undefined && current.session === session) {
      const stat = await request<ZookeeperStat | null>('exists', current.path, timeout, signal, (cb) => client.exists(current.path, this.watch, cb));
      if (stat !== null && stat.ephemeralOwner.toString('hex') === session) {
        // An update() that failed (a short disconnection) left the node with an older record.
        if (this.written !== this.data) await this.write(client, current.path, timeout, signal);
        return;
      }
    }
    this.current = undefined;
    const { path, node, sequential } = this.options;
    await request<string>('mkdirp', path, timeout, signal, (cb) => client.mkdirp(path, cb));
    const full = path === '/' ? `/${node}` : `${path}/${node}`;
    let created: string | undefined;
    if (sequential && this.lostCreate === session) created = await this.findOwn(client, session, timeout, signal);
    if (created === undefined) created = await this.create(client, full, session, timeout, signal);
    if (signal.aborted) return;
    this.current = { path: created, session };
    // update() ran while the node was being made: it holds the record sent then.
    if (this.written !== this.data) await this.write(client, created, timeout, signal);
    await request<ZookeeperStat | null>('exists', created, timeout, signal, (cb) => client.exists(created, this.watch, cb));
    this.resolveRegistered(created);
  }

  private async create(client: ZookeeperClient, full: string, session: string, timeout: number, signal: AbortSignal): Promise<string> {
    const mode = this.options.sequential ? MODE.EPHEMERAL_SEQUENTIAL : MODE.EPHEMERAL;
    let sent = this.data;
    const attempt = async (): Promise<string> => {
      let answer!: (value: string | undefined) => void;
      this.creating = new Promise((resolve) => (answer = resolve));
      sent = this.data;
      const made = await request<string>('create', full, timeout, signal, (cb) =>
        client.create(full, sent, mode, (e, p) => {
          answer(e ? undefined : p);
          cb(e, p);
        }));
      this.wrote(sent);
      return made;
    };
    try {
      return await attempt();
    } catch (err) {
      const code = codeOf((err as { cause?: unknown }).cause);
      if (code === undefined || ANSWER_LOST.has(code)) {
        // Lost (the connection dropped) or timed out: the node may exist. A plain node is found by NODE_EXISTS next time.
        if (this.options.sequential) {
          this.lostCreate = session;
          this.lostData = sent;
        }
        throw err;
      }
      if (code !== NODE_EXISTS || this.options.sequential) throw err;
    }
    // The name is taken: ours (an earlier answer was lost), or a stale node of an older session.
    const stat = await request<ZookeeperStat | null>('exists', full, timeout, signal, (cb) => client.exists(full, cb));
    if (stat !== null && stat.ephemeralOwner.toString('hex') === session) return full;
    if (stat !== null) {
      await request<void>('remove', full, timeout, signal, (cb) => client.remove(full, stat.version, (e) => cb(e, undefined))).catch((err: unknown) => {
        if (codeOf((err as { cause?: unknown }).cause) !== NO_NODE) throw err;
      });
    }
    return attempt();
  }

  /** After a lost sequential create: this session's node with our data, if the create went through. */
  private async findOwn(client: ZookeeperClient, session: string, timeout: number, signal: AbortSignal): Promise<string | undefined> {
    const { path, node } = this.options;
    const names = await request<string[]>('getChildren', path, timeout, signal, (cb) => client.getChildren(path, (e, c) => cb(e, c)));
    for (const name of names.filter((n) => n.startsWith(node)).sort()) {
      const full = path === '/' ? `/${name}` : `${path}/${name}`;
      const [data, stat] = await request<[Buffer | null, ZookeeperStat]>('getData', full, timeout, signal, (cb) => client.getData(full, (e, d, s) => cb(e, [d, s]))).catch(() => [null, null] as const);
      if (stat !== null && data !== null && stat.ephemeralOwner.toString('hex') === session && data.equals(this.lostData ?? this.data)) {
        this.lostCreate = undefined;
        this.wrote(data);
        return full;
      }
    }
    this.lostCreate = undefined;
    return undefined;
  }
}

/** Resolves with `promise`'s value, or `undefined` after `ms` (the unref'd timer cleared either way). */
async function withLimit<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
    timer.unref();
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}
