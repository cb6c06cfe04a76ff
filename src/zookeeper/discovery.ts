// zookeeperDiscovery (docs/architecture.md, "Discovery adapters"): the children of a znode are
// a service's instances. One loop per watch: list the children with a child watch, read the data
// of new and changed children with a data watch each, push the complete set when it changed
// (or when an error was reported since the last push, so that the client forgets the error);
// every watch that fires (and every reconnect or new session) marks the view dirty and runs the
// loop again. Failures are reported and retried with backoff; the last good set stays.
import type { Discovery } from '../discovery/discovery.js';
import { endpointProblem, parseRecord, setPusher, type SetPusher } from '../discovery/support.js';
import type { EndpointInit } from '../endpoints/endpoint.js';
import { codeOf, defaultRequestTimeout, EVENT, request, ZookeeperError, type ZookeeperClient, type ZookeeperEvent, type ZookeeperStat } from './client.js';
import { readRecord, type ReadOptions } from './formats.js';
import { Rounds } from './rounds.js';
import { Session } from './session.js';
import { resolveDiscoveryOptions, type ResolvedDiscoveryOptions, type ZookeeperDiscoveryOptions } from './options.js';

const NO_NODE = -101;
/** CONNECTION_LOSS, OPERATION_TIMEOUT, SESSION_EXPIRED: a pass that meets them fails and is retried. */
const CONNECTION_CODES = new Set([-4, -7, -112]);

/**
 * Discovers a service's instances from the children of a ZooKeeper znode, each an (ephemeral)
 * node whose data is a JSON record: Curator service discovery's `ServiceInstance`, a Finagle
 * serverset member, or bulwark's own `{ host, port, … }` (told apart by their fields, or fixed
 * with `format`). Watches keep the set current; they are set again after every change, every
 * reconnect and, with a client factory, on the new session after one expired. A missing
 * `path` is waited for (nothing is pushed until it exists); an unreadable record is dropped
 * with an `endpointRejected` event; a failed read is a `discoveryError`, retried with backoff,
 * while the client keeps the last set.
 *
 * @example
 * import zookeeper from 'node-zookeeper-client';
 * import { zookeeperDiscovery } from 'bulwark/zookeeper';
 * const users = createClient({
 *   name: 'users',
 *   discovery: zookeeperDiscovery({ client: () => zookeeper.createClient('zk1:2181,zk2:2181'), path: '/services/users' }),
 * });
 */
export function zookeeperDiscovery(options: ZookeeperDiscoveryOptions): Discovery {
  const resolved = resolveDiscoveryOptions(options);
  return {
    watch(update, error, rejected) {
      return new ChildrenWatch(resolved, update, error, rejected).start();
    },
  };
}

interface Child {
  /** The zxid of the data read (its last change, or the node's creation). */
  readonly mzxid: string;
  /** The endpoint, or `null` for a record that was rejected or is not up. */
  readonly endpoint: EndpointInit | null;
  /** The record could not be used (reported with `endpointRejected`), as opposed to an instance that is merely not up. */
  readonly rejected?: boolean;
}

class ChildrenWatch {
  private readonly controller = new AbortController();
  private readonly session: Session;
  private readonly children = new Map<string, Child>();
  /** Children whose data watch fired: read again. */
  private readonly stale = new Set<string>();
  private readonly read: ReadOptions;
  private readonly rounds: Rounds;
  /** Read every child's data again (after a reconnect or a new session). */
  private force = false;
  /** Pushes a set when it changed, or after an error (see setPusher). */
  private readonly sets: SetPusher;
  private watcher: { readonly generation: number; readonly fn: (event: ZookeeperEvent) => void } | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedDiscoveryOptions,
    update: (endpoints: readonly EndpointInit[]) => void,
    error: (err: unknown) => void,
    private readonly rejected: (entry: unknown, reason: string) => void,
  ) {
    this.read = options.read;
    this.sets = setPusher(update, error);
    this.rounds = new Rounds(this.controller.signal, options.backoff, (err) => this.report(err));
    this.session = new Session(options.client, options.path, {
      disconnected: () => {
        this.report(new ZookeeperError('CONNECTION_LOSS', `lost the connection to ZooKeeper; keeping the last endpoints of ${options.path}`, options.path));
        this.markDirty(true);
      },
      connected: () => this.markDirty(true),
      expired: () => {
        const next = this.session.owned ? 'reading again with a new session' : 'a client instance can not open another session: pass `client` as a function';
        this.report(new ZookeeperError('SESSION_EXPIRED', `the ZooKeeper session expired; ${next}`, options.path));
        this.markDirty(true);
      },
    }, options.requestTimeout);
  }

  start(): () => Promise<void> {
    void this.rounds.run((signal) => this.sync(signal));
    return () => this.stop();
  }

  private stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.controller.abort();
      await this.session.close();
    })();
    return this.stopping;
  }

  private markDirty(force = false): void {
    if (this.controller.signal.aborted) return;
    if (force) this.force = true;
    this.rounds.mark(force);
  }

  /** One pass: list the children, read what is new or changed, push the set if it changed. */
  private async sync(signal: AbortSignal): Promise<void> {
    const force = this.force;
    this.force = false;
    try {
      const client = await this.session.ready(this.options.requestTimeout, signal);
      const watch = this.watchFor(this.session.generation);
      const timeout = this.options.requestTimeout ?? defaultRequestTimeout(client);
      const path = this.options.path;
      let names: string[];
      try {
        names = await request<string[]>('getChildren', path, timeout, signal, (cb) => client.getChildren(path, watch, (e, c) => cb(e, c)));
      } catch (err) {
        if (codeOf((err as { cause?: unknown }).cause) !== NO_NODE) throw err;
        // No such node: wait for it to be created. Before it first existed nothing is pushed;
        // once it existed and was deleted, the service has no instances (as Curator's caches say).
        const stat = await request<ZookeeperStat | null>('exists', path, timeout, signal, (cb) => client.exists(path, watch, cb));
        if (signal.aborted) return;
        if (stat !== null) this.markDirty();
        else if (this.sets.everPushed) {
          this.children.clear();
          this.stale.clear();
          this.push();
        }
        return;
      }
      if (signal.aborted) return;
      if (force) for (const name of this.children.keys()) this.stale.add(name);
      const wanted = names.filter((name) => !this.children.has(name) || this.stale.has(name));
      // Unmarked before the read: a watch that fires while it runs marks the child again.
      for (const name of wanted) this.stale.delete(name);
      let read: (Child | undefined)[];
      try {
        read = await Promise.all(wanted.map((name) => this.readChild(client, name, watch, timeout, signal)));
      } catch (err) {
        for (const name of wanted) if (this.children.has(name)) this.stale.add(name);
        throw err;
      }
      if (signal.aborted) {
        for (const name of wanted) if (this.children.has(name)) this.stale.add(name);
        return;
      }
      const present = new Set(names);
      wanted.forEach((name, i) => {
        const child = read[i];
        if (child === undefined) {
          this.children.delete(name);
          present.delete(name);
        } else {
          this.children.set(name, child);
        }
      });
      for (const name of this.children.keys()) if (!present.has(name)) this.children.delete(name);
      for (const name of this.stale) if (!present.has(name)) this.stale.delete(name);
      this.push();
    } catch (err) {
      if (force) this.force = true;
      throw err;
    }
  }

  /** Reads one child with a data watch: its record, `undefined` when it is gone already. */
  private async readChild(client: ZookeeperClient, name: string, watch: (event: ZookeeperEvent) => void, timeout: number, signal: AbortSignal): Promise<Child | undefined> {
    const path = this.childPath(name);
    let data: Buffer | null;
    let stat: ZookeeperStat;
    try {
      [data, stat] = await request<[Buffer | null, ZookeeperStat]>('getData', path, timeout, signal, (cb) =>
        client.getData(path, watch, (e, d, s) => cb(e, [d, s])));
    } catch (err) {
      const code = codeOf((err as { cause?: unknown }).cause);
      if (code === NO_NODE) return undefined;
      // A child ZooKeeper will not let us read (NO_AUTH: its ACL) is dropped, not a failed refresh;
      // it is read again after a reconnect. Connection trouble fails the pass.
      if (code === undefined || CONNECTION_CODES.has(code)) throw err;
      if (!signal.aborted) this.rejected(path, `node can not be read: ${(err as ZookeeperError).code}`);
      return { mzxid: '', endpoint: null, rejected: true };
    }
    const previous = this.children.get(name);
    const mzxid = stat.mzxid.toString('hex');
    if (previous !== undefined && previous.mzxid === mzxid) return previous;
    const record = data === null || data.byteLength === 0 ? 'node has no data' : parseRecord(data);
    let result = typeof record === 'string' ? record : readRecord(record, this.read);
    // Checked here, so that a rejection names the node, never the record's contents (which may hold secrets).
    if (result !== null && typeof result === 'object') result = endpointProblem(result) ?? result;
    if (typeof result === 'string') {
      if (!signal.aborted) this.rejected(path, result);
      return { mzxid, endpoint: null, rejected: true };
    }
    return { mzxid, endpoint: result };
  }

  private push(): void {
    const endpoints: EndpointInit[] = [];
    let rejected = 0;
    for (const name of [...this.children.keys()].sort()) {
      const child = this.children.get(name)!;
      if (child.endpoint !== null) endpoints.push(child.endpoint);
      if (child.rejected === true) rejected++;
    }
    if (endpoints.length === 0 && rejected > 0 && rejected === this.children.size) {
      // Children, but not one usable record: a broken registry, not a service without instances
      // (as etcdDiscovery treats keys that are all invalid). Nothing is pushed; the last set stays.
      this.report(new ZookeeperError('NO_VALID_RECORD', `every one of the ${rejected} children of ${this.options.path} holds a record that cannot be used; keeping the last good set`, this.options.path));
      return;
    }
    this.sets.push(endpoints);
  }

  /** Reports an error; the next set is then pushed even when unchanged. */
  private report(err: unknown): void {
    this.sets.error(err);
  }

  /** The one watcher of a session: a change to the node, or a child's data, marks the view dirty. */
  private watchFor(generation: number): (event: ZookeeperEvent) => void {
    if (this.watcher?.generation !== generation) {
      const fn = (event: ZookeeperEvent): void => {
        if (this.controller.signal.aborted || generation !== this.session.generation) return;
        const prefix = this.options.path === '/' ? '/' : `${this.options.path}/`;
        if (event.path.startsWith(prefix) && event.type !== EVENT.NODE_CHILDREN_CHANGED) this.stale.add(event.path.slice(prefix.length));
        this.markDirty();
      };
      this.watcher = { generation, fn };
    }
    return this.watcher.fn;
  }

  private childPath(name: string): string {
    return this.options.path === '/' ? `/${name}` : `${this.options.path}/${name}`;
  }
}

