import { credentials as Credentials, type ChannelCredentials, type Client as GrpcClient, type ClientOptions } from '@grpc/grpc-js';
import type { Endpoint } from '../endpoints/endpoint.js';
import { tlsServerName } from '../endpoints/server-name.js';
import { BulwarkError, ClientClosedError } from '../errors.js';
import { UNSUPPORTED_ENDPOINT } from '../transports/classify.js';

/** What grpc-js clients are made with: a service client constructor (generated or proto-loader's) or grpc-js's `Client`. */
export type GrpcClientConstructor = new (address: string, credentials: ChannelCredentials, options?: ClientOptions) => GrpcClient;

/**
 * Channel options bulwark sets on the channels it creates, under the user's own:
 * grpc-js's retries off (`grpc.enable_retries: 0`), so a call is never retried twice — once by
 * grpc-js on the same endpoint, then by bulwark on another (see the README's gRPC section).
 */
export const CHANNEL_DEFAULTS: Readonly<ClientOptions> = Object.freeze({ 'grpc.enable_retries': 0 });

/** Schemes of plaintext gRPC endpoints: `host:port` (parsed as http), `http://`, `grpc://`. */
const PLAINTEXT = new Set(['http:', 'grpc:']);
/** Schemes of TLS endpoints. */
const TLS = new Set(['https:', 'grpcs:']);

/** One endpoint's grpc-js client (so its channel) and the attempts running on it. */
interface Channel {
  readonly client: GrpcClient;
  /** Attempts (and health checks) started on the channel and not yet ended: a stream counts until its status. */
  running: number;
  /** Discovery removed its endpoint: the channel closes once `running` is back to 0. */
  leaving: boolean;
}

/**
 * One attempt's hold on a channel: `client` to start its call on, `end()` once the call has
 * ended (its status arrived, or it could not start). `end()` may be called more than once.
 */
export class Lease {
  readonly client: GrpcClient;
  #channel: Channel | undefined;
  readonly #done: (channel: Channel) => void;

  constructor(channel: Channel, done: (channel: Channel) => void) {
    this.client = channel.client;
    this.#channel = channel;
    this.#done = done;
  }

  end(): void {
    const channel = this.#channel;
    if (channel === undefined) return;
    this.#channel = undefined;
    this.#done(channel);
  }
}

/**
 * One grpc-js client (so one channel) per endpoint, created on the first attempt that needs
 * it, reused by every later call, closed when the endpoint leaves discovery's set (once the
 * attempts running on it have ended) or the bulwark client closes (at once). Like grpc-js's own
 * `Client`, a channel connects lazily and reconnects with its own backoff; a channel that
 * cannot connect fails calls at once with UNAVAILABLE ("No connection established"), which
 * bulwark retries elsewhere without using the budget.
 */
export class ChannelPool {
  readonly #service: string;
  readonly #ctor: GrpcClientConstructor;
  readonly #credentials: ChannelCredentials | undefined;
  readonly #options: ClientOptions;
  readonly #channels = new Map<string, Channel>();
  /** Channels of removed endpoints whose attempts have not all ended yet: `closeAll()` closes them too. */
  readonly #leaving = new Set<Channel>();
  #closed = false;

  constructor(service: string, ctor: GrpcClientConstructor, credentials: ChannelCredentials | undefined, options: ClientOptions | undefined) {
    this.#service = service;
    this.#ctor = ctor;
    this.#credentials = credentials;
    this.#options = { ...CHANNEL_DEFAULTS, ...options };
  }

  /**
   * The channel of `endpoint`, made on first use, with one more attempt counted on it until the
   * lease's `end()` (when the attempt's call has ended: its status, or it failed to start).
   * Throws (nothing sent, nothing counted) for an endpoint gRPC cannot talk to.
   */
  acquire(endpoint: Endpoint): Lease {
    let channel = this.#channels.get(endpoint.id);
    if (channel === undefined) {
      if (this.#closed) throw new ClientClosedError(this.#service);
      channel = { client: this.#make(endpoint), running: 0, leaving: false };
      // An endpoint discovery has already removed (an attempt or a check that picked it just
      // before): its channel serves this attempt, then closes; it is not kept for the id.
      if ((endpoint as { retired?: boolean }).retired === true) {
        channel.leaving = true;
        this.#leaving.add(channel);
      } else this.#channels.set(endpoint.id, channel);
    }
    channel.running++;
    return new Lease(channel, this.#done);
  }

  /** One attempt on `channel` ended: a channel whose endpoint left closes with its last attempt. */
  readonly #done = (channel: Channel): void => {
    channel.running--;
    // Not among the leaving ones: its endpoint is still there, or closeAll() has closed it already.
    if (channel.running > 0 || !channel.leaving || !this.#leaving.delete(channel)) return;
    closeQuietly(channel.client);
  };

  /**
   * Closes the channel of an endpoint that left once the attempts running on it have ended (a
   * call still waiting for the channel to connect would otherwise fail with grpc-js's "Channel
   * closed before call started"). A later attempt on an endpoint of the same id gets a new channel.
   */
  release(endpoint: Endpoint): void {
    const channel = this.#channels.get(endpoint.id);
    if (channel === undefined) return;
    this.#channels.delete(endpoint.id);
    channel.leaving = true;
    if (channel.running > 0) this.#leaving.add(channel);
    else closeQuietly(channel.client);
  }

  /** Channels open now, those of removed endpoints still finishing included (for tests and stats). */
  get size(): number {
    return this.#channels.size + this.#leaving.size;
  }

  /** Closes every channel at once, those of removed endpoints still finishing included. */
  closeAll(): void {
    this.#closed = true;
    for (const channel of this.#channels.values()) closeQuietly(channel.client);
    for (const channel of this.#leaving) closeQuietly(channel.client);
    this.#channels.clear();
    this.#leaving.clear();
  }

  #make(endpoint: Endpoint): GrpcClient {
    // A base path has no place in a gRPC call (its path is `/package.Service/Method`): refused as
    // an endpoint of the wrong scheme is, rather than calling the server without it.
    if (endpoint.basePath !== '') {
      throw new BulwarkError(UNSUPPORTED_ENDPOINT, this.#service, `${this.#service}: gRPC needs a host:port, grpc:// or grpcs:// endpoint without a path, not ${endpoint.id}`);
    }
    return new this.#ctor(address(endpoint), this.#credentialsFor(endpoint), this.#optionsFor(endpoint));
  }

  /**
   * The channel options for `endpoint`. TLS to an IP address needs a server name to check the
   * certificate against (and Node 26 refuses an IP address as the TLS server name, which
   * grpc-js would send): a DNS-discovered endpoint's `metadata.hostname` is used as
   * `grpc.ssl_target_name_override`, unless the options set one.
   */
  #optionsFor(endpoint: Endpoint): ClientOptions {
    // TLS by the credentials the channel gets: a `host:port` endpoint with secure credentials too.
    const hostname = this.#credentialsFor(endpoint)._isSecure() ? tlsServerName(endpoint) : undefined;
    if (hostname === undefined) return this.#options;
    if (this.#options['grpc.ssl_target_name_override'] !== undefined) return this.#options;
    return { ...this.#options, 'grpc.ssl_target_name_override': hostname };
  }

  #credentialsFor(endpoint: Endpoint): ChannelCredentials {
    const given = this.#credentials;
    if (TLS.has(endpoint.protocol)) {
      if (given === undefined) return Credentials.createSsl();
      if (given._isSecure()) return given;
      throw new BulwarkError(UNSUPPORTED_ENDPOINT, this.#service, `${this.#service}: ${endpoint.id} needs TLS, but the credentials given are insecure`);
    }
    if (endpoint.protocol === 'grpc:') return Credentials.createInsecure();
    if (PLAINTEXT.has(endpoint.protocol)) return given ?? Credentials.createInsecure();
    throw new BulwarkError(UNSUPPORTED_ENDPOINT, this.#service, `${this.#service}: gRPC needs a host:port, grpc:// or grpcs:// endpoint, not ${endpoint.id}`);
  }
}

/** `host:port` as grpc-js's DNS resolver takes it (IPv6 in brackets). */
function address(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** Closes a channel's client; one that throws (a channel from a user's `channelFactoryOverride`) must not keep the others open. */
function closeQuietly(client: { close(): void }): void {
  try {
    client.close();
  } catch {
    // Nothing more can be done for it.
  }
}
