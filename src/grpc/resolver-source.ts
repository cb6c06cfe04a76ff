// One name's discovery as grpc-js channels see it (registerGrpcResolver, docs/grpc.md): the
// watch that runs while a channel needs the name, and the set or failure each resolver is given.
import { experimental, Metadata, status as Status, type ServiceConfig } from '@grpc/grpc-js';
import type { Discovery } from '../discovery/discovery.js';
import { stopOf, type StopWatching } from '../discovery/stop-of.js';
import type { EndpointInit } from '../endpoints/endpoint.js';
import { parseEndpoint } from '../endpoints/parse.js';
import { DiscoveryError } from '../errors.js';
import { messageOf } from '../message-of.js';
import { describe, reasonText, redactUrl } from '../redact.js';
import type { GrpcResolverOptions } from './resolver.js';

/** What the source hands grpc-js: one endpoint per address. */
/** The schemes of gRPC endpoints (`host:port` parses as http:); the channel's credentials decide TLS. */
const GRPC_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'grpc:', 'grpcs:']);

export type Endpoints = { addresses: { host: string; port: number }[] }[];
/** Where grpc-js takes a resolver's results. */
export type Listener = experimental.ResolverListener;

/** A resolver as its source sees it: where to send resolution results, and the version it last got. */
export interface SourceListener {
  readonly listener: Listener;
  /** The source's version this resolver was last given (-1: none yet). */
  version: number;
}

/** One registered name: its discovery, watched once for every channel on it. */
export class Source {
  readonly listeners: Set<SourceListener> = new Set();
  discovery: Discovery | undefined;
  options: GrpcResolverOptions = {};
  latest: Endpoints | undefined;
  stop: StopWatching | undefined;
  failure: string | undefined;
  /** Bumped on every change of what channels should see. */
  version = 0;
  #generation = 0;
  /**
   * Stops of earlier watches, settled or not (the last channel going starts one no one awaits):
   * a later `halt`, `unregister`'s, waits for them too. Their errors were reported where they began.
   */
  #stopping: Promise<void> | undefined;

  constructor(readonly name: string) {}

  /** Starts watching when the first channel arrives and a discovery is registered. */
  start(): void {
    if (this.stop !== undefined || this.discovery === undefined || this.listeners.size === 0) return;
    const options = this.options;
    // Callbacks of a watch that was stopped (or replaced) are ignored.
    const generation = ++this.#generation;
    const current = (): boolean => generation === this.#generation;
    const failed = (error: unknown): void => {
      if (!current()) return;
      options.onError?.(error);
      if (this.latest === undefined) this.#deliverError(`discovery failed: ${messageOf(error)}`);
    };
    try {
      this.stop = stopOf(this.discovery.watch(
        (entries) => { if (current()) this.#update(entries); },
        failed,
        (entry, reason) => { if (current()) options.onRejected?.(typeof entry === 'string' ? redactUrl(entry) : describe(entry), reasonText(reason)); },
      ), failed);
    } catch (err) {
      // A discovery that throws from watch() must not throw into grpc-js: its channels see UNAVAILABLE.
      this.stop = () => {};
      failed(err);
    }
  }

  /** Stops watching; resolves once this watch's stop and any earlier one still running are over. */
  async halt(): Promise<void> {
    const stop = this.stop;
    this.#generation++;
    this.stop = undefined;
    this.latest = undefined;
    this.version++;
    const earlier = this.#stopping;
    const stopping = (async () => { await stop?.(); })();
    const quiet = stopping.catch(() => {});
    this.#stopping = earlier === undefined ? quiet : Promise.all([earlier, quiet]).then(() => {});
    try {
      await stopping;
    } finally {
      await earlier;
    }
  }

  /**
   * Hands the current set (or failure) to one resolver, on a later tick as grpc-js requires,
   * unless it already has it: grpc-js asks for resolution again whenever a subchannel fails, and
   * answering each ask with the same list would loop.
   */
  deliver(to: SourceListener): void {
    if (to.version === this.version) return;
    to.version = this.version;
    process.nextTick(() => {
      if (!this.listeners.has(to)) return;
      if (this.latest !== undefined) {
        to.listener(experimental.statusOrFromValue<experimental.Endpoint[]>(this.latest), {}, this.#serviceConfig(), '');
        // An empty set drops the old addresses; grpc-js's policies would then queue calls (until
        // their deadline, or for ever without one): a failure after it makes them fail with
        // UNAVAILABLE, as the client's NoEndpointsError does.
        if (this.latest.length === 0) to.listener(unavailable(`bulwark discovery for "${this.name}" reports no endpoints`), {}, null, '');
      }
      else if (this.discovery === undefined) to.listener(unavailable(`no bulwark discovery is registered for "${this.name}" (registerGrpcResolver)`), {}, null, '');
      else if (this.failure !== undefined) to.listener(unavailable(this.failure), {}, null, '');
    });
  }

  #update(entries: readonly EndpointInit[]): void {
    const seen = new Set<string>();
    const endpoints: Endpoints = [];
    let list: readonly EndpointInit[];
    try {
      list = Array.from(entries);
    } catch (err) {
      // An update that cannot even be read is a failed refresh too.
      this.options.onError?.(err);
      if (this.latest === undefined) this.#deliverError(`discovery failed: ${messageOf(err)}`);
      return;
    }
    for (const entry of list) {
      try {
        const e = parseEndpoint(entry);
        // As createGrpcClient refuses them: a path has no place in a gRPC call, and another scheme is no gRPC server.
        const unfit = e.basePath !== '' ? 'has a path' : GRPC_SCHEMES.has(e.protocol) ? undefined : `is a ${e.protocol}// endpoint`;
        if (unfit !== undefined) throw new Error(`gRPC needs a host:port, grpc:// or grpcs:// endpoint without a path; this one ${unfit}`);
        // One address once, however discovery spells it (\`h:p\` and \`grpc://h:p\`): twice would double its share.
        const address = `${e.host}:${e.port}`;
        if (seen.has(address)) continue;
        seen.add(address);
        endpoints.push({ addresses: [{ host: e.host, port: e.port }] });
      } catch (err) {
        this.options.onRejected?.(typeof entry === 'string' ? redactUrl(entry) : describe(entry), messageOf(err));
      }
    }
    if (endpoints.length === 0 && list.length > 0) {
      // Entries, but none usable: a failed refresh (as the client treats it), not an empty service.
      const error = new DiscoveryError(this.name, `discovery update had ${list.length} ${list.length === 1 ? 'entry' : 'entries'} and none was a valid endpoint; keeping the last good set`);
      this.options.onError?.(error);
      if (this.latest === undefined) this.#deliverError(error.message);
      return;
    }
    this.latest = endpoints;
    this.failure = undefined;
    this.version++;
    for (const r of this.listeners) this.deliver(r);
  }

  #deliverError(details: string): void {
    this.failure = details;
    this.version++;
    for (const r of this.listeners) this.deliver(r);
  }

  #serviceConfig(): experimental.StatusOr<ServiceConfig> | null {
    const policy = this.options.loadBalancing === undefined ? 'round_robin' : this.options.loadBalancing;
    if (policy === null) return null;
    return experimental.statusOrFromValue<ServiceConfig>({ loadBalancingConfig: [{ [policy]: {} }], methodConfig: [] });
  }
}

function unavailable(details: string): experimental.StatusOr<experimental.Endpoint[]> {
  return experimental.statusOrFromError<experimental.Endpoint[]>({ code: Status.UNAVAILABLE, details, metadata: new Metadata() });
}
