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

/**
 * One grpc-js client (so one channel) per endpoint, created on the first attempt that needs
 * it, reused by every later call, closed when the endpoint leaves discovery's set or the
 * bulwark client closes. Like grpc-js's own `Client`, a channel connects lazily and reconnects
 * with its own backoff; a channel that cannot connect fails calls at once with UNAVAILABLE
 * ("No connection established"), which bulwark retries elsewhere without using the budget.
 */
export class ChannelPool {
  readonly #service: string;
  readonly #ctor: GrpcClientConstructor;
  readonly #credentials: ChannelCredentials | undefined;
  readonly #options: ClientOptions;
  readonly #clients = new Map<string, GrpcClient>();
  #closed = false;

  constructor(service: string, ctor: GrpcClientConstructor, credentials: ChannelCredentials | undefined, options: ClientOptions | undefined) {
    this.#service = service;
    this.#ctor = ctor;
    this.#credentials = credentials;
    this.#options = { ...CHANNEL_DEFAULTS, ...options };
  }

  /** The grpc-js client of `endpoint`, made on first use. Throws (nothing sent) for an endpoint gRPC cannot talk to. */
  get(endpoint: Endpoint): GrpcClient {
    const client = this.#clients.get(endpoint.id);
    if (client !== undefined) return client;
    if (this.#closed) throw new ClientClosedError(this.#service);
    const made = new this.#ctor(address(endpoint), this.#credentialsFor(endpoint), this.#optionsFor(endpoint));
    this.#clients.set(endpoint.id, made);
    return made;
  }

  /** Closes the channel of an endpoint that left; calls still running on it finish first (grpc-js's close is graceful). */
  release(endpoint: Endpoint): void {
    const client = this.#clients.get(endpoint.id);
    if (client === undefined) return;
    this.#clients.delete(endpoint.id);
    closeQuietly(client);
  }

  /** Channels open now (for tests and stats). */
  get size(): number {
    return this.#clients.size;
  }

  closeAll(): void {
    this.#closed = true;
    for (const client of this.#clients.values()) closeQuietly(client);
    this.#clients.clear();
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

/** Closes a channel's client; one that throws (a user's `channelOverride`) must not keep the others open. */
function closeQuietly(client: { close(): void }): void {
  try {
    client.close();
  } catch {
    // Nothing more can be done for it.
  }
}
