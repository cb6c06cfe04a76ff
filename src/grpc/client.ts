import type { CallOptions as GrpcJsCallOptions, ChannelCredentials, Client as GrpcJsClient, ClientDuplexStream, ClientOptions as GrpcJsClientOptions, ClientReadableStream, ClientUnaryCall, ClientWritableStream, Metadata, MethodDefinition, ServiceError } from '@grpc/grpc-js';
import { CloseOnce } from '../close-once.js';
import { Client } from '../client.js';
import { onEndpointsRemoved, runTransport } from '../client-seams.js';
import { checkKeys, hideValue, type KeySet, type Table } from '../config/keys.js';
import { wrapperKeys } from '../config/option-keys.js';
import type { CallOptions, Classify, ClientOptions, HealthCheckOptions, HealthOptions } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { suppliedCheck } from '../config/resolve-health.js';
import { ChannelPool, type GrpcClientConstructor } from './channels.js';
import { healthFailure, resolveCodes, type GrpcCodeOptions } from './codes.js';
import { grpcHealthCheck } from './health-check.js';
import { bidi } from './bidi-call.js';
import { checkMessages, mayBeSecret, partsOf } from './call-parts.js';
import { ClientStreamTransport, type RequestMessages } from './streams.js';
import { OpenStreams } from './call-life.js';
import { ServerStreamTransport, UnaryTransport, type MethodSetup } from './transport.js';

/** Options of {@link createGrpcClient}: bulwark's `ClientOptions` and the gRPC ones. */
export interface GrpcClientOptions extends Omit<ClientOptions, 'fetch'> {
  /**
   * Channel credentials. Default: `credentials.createInsecure()` for `host:port` endpoints and
   * `credentials.createSsl()` (system roots) for `grpcs://` ones. Used for `host:port` and
   * `grpcs://` endpoints (which need secure ones); `grpc://` endpoints are always plaintext.
   */
  credentials?: ChannelCredentials | undefined;
  /**
   * What each endpoint's grpc-js client is constructed with: channel options (`grpc.*`) and
   * grpc-js client options (`interceptors`, `channelFactoryOverride`, …). Default
   * `{ 'grpc.enable_retries': 0 }` (grpc-js's own retries off; pass 1 to turn them back on).
   */
  channelOptions?: GrpcJsClientOptions | undefined;
  /** Which status codes hurt health and which are retried. Defaults: see `DEFAULT_CODES`. */
  codes?: GrpcCodeOptions | undefined;
  /**
   * Active health checks over `grpc.health.v1.Health/Check` for this service name ('' for the
   * whole server): turns `health.checks` on (bulwark's defaults: every 10 s, 3 failures eject)
   * unless they set a `check` of their own. Default: none.
   */
  healthService?: string | undefined;
  /** grpc-js call options added to every call (call `credentials`, `interceptors`, …); bulwark sets `deadline`. Default none. */
  callOptions?: Omit<GrpcJsCallOptions, 'deadline'> | undefined;
}

/**
 * createClient's keys plus createGrpcClient's own, reported as options of createGrpcClient.
 * `channelOptions` and `callOptions` go to grpc-js as they are (its keys, not bulwark's), so
 * their keys are not checked here; `codes` is checked by `resolveCodes`.
 */
const KEYS: KeySet = wrapperKeys('createGrpcClient', Object.keys({
  credentials: true, channelOptions: true, codes: true, healthService: true, callOptions: true,
} satisfies Table<Omit<GrpcClientOptions, keyof ClientOptions>>), ['fetch']);

/** Options of one call; `T` is what an attempt's `classify` sees as its value (the response, or the stream). */
export interface GrpcCallOptions<T = unknown> extends CallOptions {
  /** Request metadata; each attempt sends a copy. Default: none. */
  metadata?: Metadata | undefined;
  /**
   * Decides what an attempt's outcome means, as `execute`'s `classify` does: `{ ok: false, error }`
   * with the grpc-js `ServiceError` (or a `TimeoutError`), `{ ok: true, value }` with the response
   * (for a server or bidi stream, the established stream). `undefined` keeps the default verdict.
   */
  classify?: Classify<T> | undefined;
}

/** A unary method: resolves with the response, rejects with the last attempt's `ServiceError` (unchanged) or a bulwark error. */
export type UnaryMethod<Req, Res> = (request: Req, options?: GrpcCallOptions<Res>) => Promise<Res>;
/** A server-streaming method: resolves with the grpc-js stream once the server answered (see the README). */
export type ServerStreamMethod<Req, Res> = (request: Req, options?: GrpcCallOptions<ClientReadableStream<Res>>) => Promise<ClientReadableStream<Res>>;

/** A client-streaming method: sends the messages, resolves with the response (an array is retried like a unary call; other iterables get one attempt). */
export type ClientStreamMethod<Req, Res> = (messages: RequestMessages<Req>, options?: GrpcCallOptions<Res>) => Promise<Res>;
/** A bidi-streaming method: resolves with the grpc-js stream once an endpoint is picked; one attempt, never retried (see the README). */
export type BidiStreamMethod<Req, Res> = (options?: GrpcCallOptions<ClientDuplexStream<Req, Res>>) => Promise<ClientDuplexStream<Req, Res>>;

/**
 * The response type of a unary or client-streaming overload, from its parameters: the last one
 * is grpc-js's callback `(error, response) => void`, whatever comes before it (the request,
 * metadata, call options). The response parameter is optional in grpc-js's `requestCallback`
 * (proto-loader-gen-types, grpc-tools) and required in ts-proto's callbacks. `never` when the
 * last parameter is no such callback.
 *
 * @example
 * type R = CallbackResponse<[GetUserRequest, Metadata, CallOptions, requestCallback<User>]>; // User
 */
type CallbackResponse<Args extends readonly unknown[]> = Args extends readonly [...unknown[], infer Callback]
  ? Callback extends (error: ServiceError | null, value?: infer Res) => void
    ? Res
    : Callback extends (error: ServiceError | null, value: infer Res) => void ? Res : never
  : never;

/**
 * The promise-returning methods made from a generated client class's own overloads. TypeScript
 * infers from a method's last overload, whose order differs between generators
 * (proto-loader-gen-types ends with `(argument, callback)`, ts-proto and grpc-tools with
 * `(argument, metadata, options, callback)`), so the response of a unary or client-streaming
 * method is read from that overload's last parameter, the callback, and its request from the
 * first parameter (unary) or the stream it returns (client streaming).
 * An untyped service (a constructor typed `any`, as `loadPackageDefinition(…) as any` gives, or
 * one whose instances are a plain grpc-js `Client` or `ServiceClient`) gets loose methods by any
 * name instead: there is nothing to type them from.
 *
 * @example
 * // UsersClient: generated by proto-loader-gen-types, ts-proto (outputServices=grpc-js) or grpc-tools.
 * const getUser: GrpcMethods<UsersClient>['getUser'] = users.methods.getUser; // UnaryMethod<GetUserRequest, User>
 */
export type GrpcMethods<C> = string extends keyof C
  ? Record<string, (...args: any[]) => Promise<any>>
  : [GrpcJsClient] extends [C]
    ? Record<string, (...args: any[]) => Promise<any>>
    : {
        [K in Exclude<keyof C, keyof GrpcJsClient>]: C[K] extends (options?: GrpcJsCallOptions) => ClientDuplexStream<infer Req, infer Res>
          ? BidiStreamMethod<Req, Res>
          : C[K] extends (...args: infer Args) => ClientWritableStream<infer Req>
            ? [CallbackResponse<Args>] extends [never] ? never : ClientStreamMethod<Req, CallbackResponse<Args>>
            : C[K] extends (argument: infer Req, ...rest: infer Args) => ClientUnaryCall
              ? [CallbackResponse<Args>] extends [never]
                ? C[K] extends (argument: infer Req, options?: GrpcJsCallOptions) => ClientReadableStream<infer Res> ? ServerStreamMethod<Req, Res> : never
                : UnaryMethod<Req, CallbackResponse<Args>>
              : C[K] extends (argument: infer Req, options?: GrpcJsCallOptions) => ClientReadableStream<infer Res>
                ? ServerStreamMethod<Req, Res>
                : never;
      };

/** What {@link createGrpcClient} returns. */
export interface GrpcServiceClient<C> {
  /** Every method of the service, by its name (and its original name from the .proto). */
  readonly methods: GrpcMethods<C>;
  /** The bulwark client underneath: its events, `stats()` and `endpoints()`. */
  readonly bulwark: Client;
  /** Closes the bulwark client: ends calls in flight, cancels streams still running and closes every channel at once, then waits for discovery to stop. */
  close(): Promise<void>;
}

/** A client constructor grpc-js or proto-loader made: it carries the service definition. */
export type ServiceClientConstructor<C extends GrpcJsClient = GrpcJsClient> = (new (address: string, credentials: ChannelCredentials, options?: GrpcJsClientOptions) => C) & {
  readonly service: Readonly<Record<string, MethodDefinition<any, any>>>;
};

const RESERVED = new Set(['methods', 'bulwark', 'close']);

/**
 * Puts a grpc-js service behind bulwark: every method becomes a promise-returning function
 * (unary, server-, client- and bidi-streaming; see the README for what each retries) whose
 * attempts are picked, retried, hedged, timed and health-accounted by bulwark, on one channel per endpoint (created when first needed,
 * closed when the endpoint leaves or the client closes). Methods are on the returned object
 * (unless named `methods`, `bulwark` or `close`) and always under `methods`.
 *
 * @example
 * const pkg = grpc.loadPackageDefinition(protoLoader.loadSync('users.proto')) as any;
 * // Typed from proto-loader-gen-types' UsersClient (untyped, each method is possibly undefined under noUncheckedIndexedAccess).
 * const users = createGrpcClient(pkg.users.Users as ServiceClientConstructor<UsersClient>, { name: 'users', discovery: ['10.0.0.1:50051', '10.0.0.2:50051'] });
 * const user = await users.methods.getUser({ id: 42 }, { timeout: { total: 2_000 } });
 * await users.close();
 */
export function createGrpcClient<C extends GrpcJsClient>(ctor: ServiceClientConstructor<C>, options: GrpcClientOptions): GrpcServiceClient<C> & GrpcMethods<C> {
  const name = typeof options?.name === 'string' ? options.name : 'grpc';
  if (typeof ctor !== 'function' || ctor.service === null || typeof ctor.service !== 'object') {
    throw new ConfigError(name, 'ctor', 'must be a grpc-js service client constructor (generated, or from loadPackageDefinition) with a `service` definition', ctor);
  }
  if (options === null || typeof options !== 'object') throw new ConfigError(name, 'options', 'must be an object', options);
  // Checked here, not by createClient: a near miss of a gRPC option is then suggested, and this function named.
  checkKeys(name, options, '', KEYS);
  const { credentials, channelOptions, codes: codeOptions, healthService, callOptions, ...rest } = options;
  if (credentials !== undefined && (credentials === null || typeof (credentials as { _isSecure?: unknown })._isSecure !== 'function')) {
    throw new ConfigError(name, 'credentials', 'must be grpc-js ChannelCredentials (credentials.createInsecure(), createSsl(…))', mayBeSecret(credentials));
  }
  if (channelOptions !== undefined && (channelOptions === null || typeof channelOptions !== 'object')) throw new ConfigError(name, 'channelOptions', 'must be an object', channelOptions);
  // grpc-js's channelOverride makes a client use the given channel whatever its address: every
  // endpoint's client would share it (all calls to one server, the picker's choice meaningless,
  // and the first endpoint discovery removes would close it for all).
  if (channelOptions?.channelOverride !== undefined) {
    throw new ConfigError(name, 'channelOptions.channelOverride', 'is not supported: it would send every endpoint\'s calls down that one channel (bulwark makes one channel per endpoint; use channelFactoryOverride to make them yourself)', hideValue(channelOptions.channelOverride));
  }
  if (callOptions !== undefined && (callOptions === null || typeof callOptions !== 'object' || 'deadline' in callOptions)) {
    throw new ConfigError(name, 'callOptions', 'must be an object of grpc-js call options without deadline (bulwark sets it)', callOptions);
  }
  if (healthService !== undefined && typeof healthService !== 'string') throw new ConfigError(name, 'healthService', 'must be a string', healthService);
  const codes = resolveCodes(name, codeOptions);
  const pool = new ChannelPool(name, ctor as GrpcClientConstructor, credentials, channelOptions);
  const streams = new OpenStreams();
  const client = new ChannelsClient({ ...rest, health: healthOptions(name, rest.health, codes, pool, healthService, callOptions) }, () => {
    streams.cancelAll();
    pool.closeAll();
  });
  onEndpointsRemoved(client, (removed) => {
    for (const e of removed) pool.release(e);
  });
  const close = (): Promise<void> => client.close();
  const methods: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(ctor.service)) {
    const setup: MethodSetup = { service: name, pool, streams, codes, method, callOptions };
    const idempotent = isIdempotent(method);
    let fn: (...args: never[]) => Promise<unknown>;
    if (method.requestStream && method.responseStream) fn = (call?: GrpcCallOptions) => bidi(client, name, setup, call);
    else if (method.requestStream) {
      fn = (messages: RequestMessages<unknown>, call?: GrpcCallOptions) => runTransport(client, call, () => new ClientStreamTransport(setup, checkMessages(name, messages), partsOf(name, call, idempotent)));
    } else if (method.responseStream) {
      fn = (request: unknown, call?: GrpcCallOptions<ClientReadableStream<unknown>>) => runTransport(client, call, ({ options: resolved, signal }) => new ServerStreamTransport(setup, request, partsOf(name, call, idempotent), call?.timeout?.total ?? resolved.totalTimeout, signal));
    } else {
      fn = (request: unknown, call?: GrpcCallOptions) => runTransport(client, call, () => new UnaryTransport(setup, request, partsOf(name, call, idempotent)));
    }
    methods[key] = fn;
    // Own keys only: `toString` or `valueOf` is an rpc's name, not Object.prototype's method.
    if (method.originalName !== undefined && !Object.hasOwn(methods, method.originalName)) methods[method.originalName] = fn;
  }
  const result: Record<string, unknown> = {};
  for (const [key, fn] of Object.entries(methods)) if (!RESERVED.has(key)) result[key] = fn;
  Object.assign(result, { methods: Object.freeze(methods), bulwark: client, close });
  return result as unknown as GrpcServiceClient<C> & GrpcMethods<C>;
}

/**
 * The `Client` behind a gRPC service client (`users.bulwark`): closing it, from either side,
 * also cancels the streams still running and closes the channels, as UndiciClient closes its pools.
 */
class ChannelsClient extends Client {
  readonly #release: () => void;
  readonly #closing = new CloseOnce();

  constructor(options: ClientOptions, release: () => void) {
    super(options);
    this.#release = release;
  }

  override close(): Promise<void> {
    return this.#closing.run(() => super.close(), this.#release);
  }
}

/**
 * Whether a method may reach a server twice by default: its `.proto` says so
 * (`option idempotency_level = IDEMPOTENT` or `NO_SIDE_EFFECTS`, which proto-loader keeps in
 * `options`); otherwise not, as gRPC knows nothing else about a method.
 */
function isIdempotent(method: MethodDefinition<unknown, unknown>): boolean {
  const level = (method as { options?: { idempotency_level?: unknown } }).options?.idempotency_level;
  return level === 'IDEMPOTENT' || level === 'NO_SIDE_EFFECTS';
}

/** The client's health options: status-code based `isFailure`, and the gRPC health check when asked. */
function healthOptions(service: string, health: HealthOptions | false | undefined, codes: ReturnType<typeof resolveCodes>, pool: ChannelPool, healthService: string | undefined, callOptions: Omit<GrpcJsCallOptions, 'deadline'> | undefined): HealthOptions | false {
  if (health === false) {
    if (healthService !== undefined) throw new ConfigError(service, 'healthService', 'needs health tracking (health is false)', healthService);
    return false;
  }
  if (health !== undefined && (health === null || typeof health !== 'object')) return health; // createClient names it
  const base: HealthOptions = { ...health, isFailure: health?.isFailure ?? healthFailure(codes) };
  if (healthService === undefined) return base;
  const checks = health?.checks;
  if (checks === false) throw new ConfigError(service, 'healthService', 'needs health.checks on (it is false)', healthService);
  // Named here: createClient would blame "a custom health.checks.check", which the user did not write.
  // (A live document's health.probes reaches only createClient's check: the check is marked below for it to name healthService.)
  if (checks?.check === undefined) {
    if (health?.probes !== undefined) throw new ConfigError(service, 'health.probes', 'never takes effect with healthService (the gRPC health check, not real calls, probes every endpoint whose ejection is over); remove probes', health.probes);
    if (checks?.path !== undefined) throw new ConfigError(service, 'health.checks.path', 'has no use with healthService (the gRPC health check asks grpc.health.v1.Health/Check); remove path', checks.path);
  }
  const withCheck: HealthCheckOptions = { ...checks, check: checks?.check ?? suppliedCheck(grpcHealthCheck(pool, healthService, callOptions), 'healthService', 'the gRPC health check') };
  return { ...base, checks: withCheck };
}
