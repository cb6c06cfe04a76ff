import { createRequire } from 'node:module';
import { experimental } from '@grpc/grpc-js';
import type { Discovery } from '../discovery/discovery.js';
import { isDiscovery } from '../discovery/discovery.js';
import { staticDiscovery } from '../discovery/static.js';
import type { EndpointInit } from '../endpoints/endpoint.js';
import { checkKeys, tableKeys, type Table } from '../config/keys.js';
import { ConfigError } from '../errors.js';
import { Source, type Listener, type SourceListener } from './resolver-source.js';

/** The URI scheme of the bridge: `bulwark:///<name>`. */
export const RESOLVER_SCHEME = 'bulwark';

/** The grpc-js minor whose experimental resolver API the bridge is written and tested against. */
export const SUPPORTED_GRPC_MINOR = '1.14';

/** Options of {@link registerGrpcResolver}. */
export interface GrpcResolverOptions {
  /** The grpc-js load-balancing policy given with each address list, or `null` to give none (the channel's own, `pick_first` by default). Default `'round_robin'`: a bulwark service is a set of equal endpoints. */
  loadBalancing?: 'round_robin' | 'pick_first' | null | undefined;
  /** Called with each entry discovery sent that is not a valid endpoint (it is dropped; URL credentials removed). */
  onRejected?: ((entry: unknown, reason: string) => void) | undefined;
  /** Called when discovery reports an error; channels keep the last good set. */
  onError?: ((error: unknown) => void) | undefined;
}

const KEYS = tableKeys({ loadBalancing: true, onRejected: true, onError: true } satisfies Table<GrpcResolverOptions>, 'an option of registerGrpcResolver');

/** What {@link registerGrpcResolver} returns. */
export interface GrpcResolverRegistration {
  /** The target to give grpc-js: `bulwark:///<name>`. */
  readonly target: string;
  /** Stops discovery; channels on the target fail calls with UNAVAILABLE until it is registered again. */
  unregister(): Promise<void>;
}

/**
 * The options with `onRejected` and `onError` made safe to call from discovery's callbacks: a
 * listener that throws must not cost an update its valid endpoints, nor throw into the
 * discovery or grpc-js (its own failure is not the discovery's).
 */
function guardedOptions(options: GrpcResolverOptions): GrpcResolverOptions {
  const { onRejected, onError } = options;
  return {
    ...options,
    onRejected: onRejected === undefined ? undefined : (entry, reason) => {
      try {
        onRejected(entry, reason);
      } catch {
        // the listener's own failure is not ours to raise
      }
    },
    onError: onError === undefined ? undefined : (error) => {
      try {
        onError(error);
      } catch {
        // the listener's own failure is not ours to raise
      }
    },
  };
}

/** The names registered or resolved now: one goes once nothing needs it (see `forget`). */
const sources = new Map<string, Source>();

function sourceOf(name: string): Source {
  let source = sources.get(name);
  if (source === undefined) {
    source = new Source(name);
    sources.set(name, source);
  }
  return source;
}

/**
 * Drops `source` once no discovery is registered under its name and no channel resolves it: a
 * process that registers and unregisters names (per tenant, per deployment) keeps none of them,
 * nor the options' listeners. A later registration or channel starts a new one.
 */
function forget(source: Source): void {
  if (source.discovery !== undefined || source.listeners.size > 0 || sources.get(source.name) !== source) return;
  sources.delete(source.name);
}

/** The grpc-js resolver for `bulwark:///<name>`: follows the discovery registered under that name. */
class BulwarkResolver implements experimental.Resolver, SourceListener {
  readonly listener: Listener;
  /** The source's version this resolver was last given (-1: none yet). */
  version = -1;
  readonly #name: string;
  /** The name's source while this resolver listens to it (from its first `updateResolution` until `destroy`). */
  #source: Source | undefined;

  constructor(target: experimental.GrpcUri, listener: Listener) {
    this.listener = listener;
    this.#name = nameOf(target);
  }

  updateResolution(): void {
    let source = this.#source;
    if (source === undefined) {
      source = this.#source = sourceOf(this.#name);
      source.listeners.add(this);
      source.start();
    }
    source.deliver(this);
  }

  destroy(): void {
    const source = this.#source;
    if (source === undefined) return;
    this.#source = undefined;
    source.listeners.delete(this);
    this.version = -1;
    // The last channel went idle or closed: stop watching until one needs the name again.
    if (source.listeners.size === 0) {
      const onError = source.options.onError;
      void source.halt().catch((err: unknown) => onError?.(err));
      forget(source);
    }
  }

  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return nameOf(target);
  }
}

function nameOf(target: experimental.GrpcUri): string {
  return target.path.replace(/^\/+/, '');
}

let registered = false;

/** Registers the `bulwark` scheme with grpc-js once, after checking its version. */
function registerScheme(): void {
  if (registered) return;
  const version = grpcVersion();
  const [major, minor] = version.split('.').map(Number);
  if (major !== 1 || minor === undefined || minor < 14) {
    throw new Error(`bulwark/grpc: the resolver bridge needs @grpc/grpc-js ${SUPPORTED_GRPC_MINOR}.x (its experimental resolver API changed in 1.14); found ${version}`);
  }
  if (minor > 14) process.emitWarning(`bulwark/grpc: the resolver bridge is tested with @grpc/grpc-js ${SUPPORTED_GRPC_MINOR}.x, not ${version}`);
  experimental.registerResolver(RESOLVER_SCHEME, BulwarkResolver);
  registered = true;
}

function grpcVersion(): string {
  try {
    return String((createRequire(import.meta.url)('@grpc/grpc-js/package.json') as { version: unknown }).version);
  } catch {
    return 'unknown';
  }
}

/**
 * Lets plain grpc-js clients resolve `bulwark:///<name>` through a bulwark `Discovery` (static,
 * DNS, etcd, Consul, custom): each channel gets the current endpoint list and every change,
 * balanced by grpc-js (`round_robin` by default). For users who keep their own clients and
 * want only live discovery; bulwark's pickers, retries and health need `createGrpcClient`.
 * Registers the `bulwark` scheme with grpc-js on first use (supported: grpc-js 1.14).
 *
 * @example
 * const { target } = registerGrpcResolver('users', etcdDiscovery({ client: etcd, prefix: 'services/users/' }));
 * const client = new UsersClient(target, grpc.credentials.createInsecure()); // 'bulwark:///users'
 */
export function registerGrpcResolver(name: string, discovery: Discovery | readonly EndpointInit[], options: GrpcResolverOptions = {}): GrpcResolverRegistration {
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw new ConfigError('grpc', 'name', 'must be a service name of letters, digits, `_`, `.` and `-`', name);
  if (sources.get(name)?.discovery !== undefined) throw new ConfigError(name, 'name', 'is already registered (unregister it first)', name);
  if (options === null || typeof options !== 'object') throw new ConfigError(name, 'options', 'must be an object', options);
  checkKeys(name, options, '', KEYS);
  for (const key of ['onRejected', 'onError'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') throw new ConfigError(name, key, 'must be a function', options[key]);
  }
  const lb = options.loadBalancing;
  if (lb !== undefined && lb !== null && lb !== 'round_robin' && lb !== 'pick_first') throw new ConfigError(name, 'loadBalancing', "must be 'round_robin', 'pick_first' or null", lb);
  let resolved: Discovery;
  if (Array.isArray(discovery)) resolved = staticDiscovery(discovery as readonly EndpointInit[]);
  else if (isDiscovery(discovery)) resolved = discovery;
  else throw new ConfigError(name, 'discovery', 'must be a Discovery or an array of endpoints', discovery);
  registerScheme();
  // Made only now: a refused registration leaves no entry behind.
  const source = sourceOf(name);
  source.discovery = resolved;
  source.options = guardedOptions(options);
  source.start();
  let done: Promise<void> | undefined;
  return {
    target: `${RESOLVER_SCHEME}:///${name}`,
    unregister: () => (done ??= (async () => {
      source.discovery = undefined;
      try {
        await source.halt();
      } finally {
        // Channels still on the name are told it has no discovery; the user's listeners are let go
        // (unless the name was registered again meanwhile).
        if (source.discovery === undefined) source.options = {};
        for (const r of source.listeners) source.deliver(r);
        forget(source);
      }
    })()),
  };
}
