import { Metadata, status as Status, type CallOptions as GrpcCallOptions, type ClientReadableStream, type MethodDefinition, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import type { Classify, Outcome } from '../config/options.js';
import { authorizationOf, type LiveEndpoint } from '../endpoints/endpoint.js';
import { runClassify } from '../transports/classify.js';
import type { AttemptHandle, Judgement, Transport } from '../transports/transport.js';
import type { ChannelPool } from './channels.js';
import { endWithStatus, followCaller, startCall, type OpenStreams } from './call-life.js';
import { exactSerializer, RequestSnapshot } from './request-snapshot.js';
import { isCommitted, judgeError, markCommitted, type GrpcCodes } from './codes.js';

/** What every call of one method shares: fixed per client and method. */
export interface MethodSetup {
  /** The client's name, for the errors of a call's `classify`. */
  readonly service: string;
  readonly pool: ChannelPool;
  readonly streams: OpenStreams;
  readonly codes: GrpcCodes;
  readonly method: MethodDefinition<unknown, unknown>;
  /** Extra grpc-js call options of every call (credentials, interceptors); never `deadline`. */
  readonly callOptions: Omit<GrpcCallOptions, 'deadline'> | undefined;
}

const OK: Judgement = Object.freeze({ verdict: 'success', reason: 'OK' });

/**
 * grpc-js reports its own deadline a hair before or after bulwark's deadline wheel does (two
 * clocks, two timers): its timer is armed in whole ms, on Node's loop time, for a deadline of
 * `Date.now()` (whole ms) plus what the attempt has left, so it fires up to about 2 ms early. A
 * DEADLINE_EXCEEDED this close to the deadline given to grpc-js is bulwark's own, so the attempt
 * is left to the wheel, which ends it with a `TimeoutError`: the caller always gets the same
 * error for a deadline bulwark set, whichever timer fired first.
 */
const DEADLINE_SLACK_MS = 20;

/**
 * Whether `status` is grpc-js reporting the deadline bulwark gave it (`deadline`, on the
 * `Date.now()` clock grpc-js reads too): DEADLINE_EXCEEDED within {@link DEADLINE_SLACK_MS} of it.
 */
export function ownDeadline(status: { readonly code: number }, deadline: number): boolean {
  return status.code === Status.DEADLINE_EXCEEDED && Date.now() >= deadline - DEADLINE_SLACK_MS;
}

/** What one call of a method was given besides its request: its metadata, idempotency and `classify`. */
export interface CallParts<T> {
  readonly metadata: Metadata | undefined;
  readonly idempotent: boolean;
  /** The call's own `classify` (validated as a function by runTransport), applied over the default judgement. */
  readonly classify: Classify<T> | undefined;
}

/** Base of the gRPC transports: per-call metadata, classification and the final error. */
export abstract class GrpcTransport<T> implements Transport<T> {
  readonly idempotent: boolean;
  readonly replayable: boolean = true;
  protected readonly setup: MethodSetup;
  /** The request as the call was made with it (see {@link RequestSnapshot}); `undefined` for streams the caller writes. */
  protected readonly request: RequestSnapshot | undefined;
  readonly #metadata: Metadata | undefined;
  readonly #classify: Classify<T> | undefined;

  constructor(setup: MethodSetup, request: unknown, call: CallParts<T>) {
    this.setup = setup;
    this.request = request === undefined ? undefined : new RequestSnapshot(setup.method, request);
    this.#metadata = call.metadata;
    this.idempotent = call.idempotent;
    this.#classify = call.classify;
  }

  abstract run(endpoint: LiveEndpoint, attempt: AttemptHandle): PromiseLike<T>;

  /**
   * A copy per attempt: grpc-js adds to the metadata it sends (call credentials), and a retry
   * must start from the caller's. A retry or hedge carries `grpc-previous-rpc-attempts` (the
   * attempts before it), as grpc-js's own retries do (gRFC A6), so a server can tell it apart.
   * An endpoint whose URL had userinfo sends it as `authorization: Basic …` (as fetch sends it
   * as a header), read at each attempt so a password discovery changed is used from the next
   * one on, unless the caller's metadata has an `authorization` of its own.
   */
  protected metadata(attempt: AttemptHandle, endpoint: LiveEndpoint): Metadata {
    const md = this.#metadata === undefined ? new Metadata() : this.#metadata.clone();
    if (attempt.attempt > 1) md.set('grpc-previous-rpc-attempts', String(attempt.attempt - 1));
    const auth = authorizationOf(endpoint);
    if (auth !== undefined && md.get('authorization').length === 0) md.set('authorization', auth);
    return md;
  }

  protected options(deadline: number): GrpcCallOptions {
    const extra = this.setup.callOptions;
    return extra === undefined ? { deadline } : { ...extra, deadline };
  }

  /**
   * The default judgement, then the call's `classify` over it, as `execute`'s: it changes the
   * verdict only (an attempt that never reached a server still did not), and one that throws or
   * answers something else fails the call with a PluginError (thrown by runClassify). An invalid
   * request (a client stream's messages that threw, a message grpc-js refused to send) fails on
   * every endpoint: no classify runs.
   */
  judge(outcome: Outcome<T>, endpoint: LiveEndpoint): Judgement {
    const judgement = this.defaultJudgement(outcome);
    if (this.#classify === undefined || judgement.invalid === true) return judgement;
    const verdict = runClassify(this.setup.service, this.#classify, outcome, endpoint);
    return verdict === undefined || verdict === judgement.verdict ? judgement : { ...judgement, verdict };
  }

  /** What an outcome means without the call's `classify`. */
  protected defaultJudgement(outcome: Outcome<T>): Judgement {
    if (outcome.ok) return OK;
    const judgement = judgeError(this.setup.codes, this.idempotent, outcome.error);
    // Response headers came before the error: the call was committed (gRFC A6, as grpc-js's own
    // retries commit on them), so it is not sent again; its endpoint is judged as ever.
    if (judgement.verdict !== 'retry' || !isCommitted(outcome.error)) return judgement;
    return { ...judgement, verdict: 'failure', reason: `${judgement.reason} (after response headers)` };
  }
}

/**
 * Notes on `call` whether response headers arrive; `failed(error)` then marks an error that
 * follows them as the error of a committed call.
 */
export function watchCommit(call: { once(event: 'metadata', listener: () => void): unknown }): (error: ServiceError) => ServiceError {
  let committed = false;
  call.once('metadata', () => { committed = true; });
  return (error) => {
    if (committed) markCommitted(error);
    return error;
  };
}

/**
 * One unary call: each attempt is one grpc-js call on the picked endpoint's channel, with a
 * grpc deadline of what the attempt has left (its own timeout cut by the call's total), and
 * cancelled (`call.cancel()`, the server sees `cancelled`) when the attempt is cut short.
 * The final error is the last attempt's grpc-js `ServiceError`, unchanged (code, details,
 * metadata), or bulwark's `TimeoutError` for a deadline bulwark set.
 */
export class UnaryTransport<Res> extends GrpcTransport<Res> {
  run(endpoint: LiveEndpoint, attempt: AttemptHandle): Promise<Res> {
    const lease = this.setup.pool.acquire(endpoint);
    const method = this.setup.method;
    const deadline = Date.now() + attempt.remaining();
    return new Promise<Res>((resolve, reject) => {
      let failed = (error: ServiceError): ServiceError => error;
      const call = startCall(lease, (client) => client.makeUnaryRequest(method.path, exactSerializer(method), method.responseDeserialize, this.request?.take(), this.metadata(attempt, endpoint), this.options(deadline), (error: ServiceError | null, value?: unknown) => {
        lease.end();
        if (error === null) resolve(value as Res);
        else if (!ownDeadline(error, deadline)) reject(failed(error));
      }));
      failed = watchCommit(call);
      attempt.onCancel(() => call.cancel());
    });
  }
}

/**
 * One server-streaming call. An attempt succeeds when the stream is established — the
 * server's response headers arrived (gRPC's "committed" point, which comes with or before the
 * first message) or it ended OK with no messages; it fails like a unary call when the server
 * answers with a status first (UNAVAILABLE is retried elsewhere, INVALID_ARGUMENT returned…).
 * The caller then gets the grpc-js stream: what happens on it later (messages, an error after
 * the first message) is the caller's, never retried and not counted in health, though the open
 * stream counts in its endpoint's `inflight` until its status. The attempt timeout bounds
 * establishment; the stream's grpc deadline is the call's total deadline, and the caller's
 * signal cancels it for as long as it runs.
 */
export class ServerStreamTransport<Res> extends GrpcTransport<ClientReadableStream<Res>> {
  readonly #deadline: number;
  readonly #signal: AbortSignal | undefined;

  constructor(setup: MethodSetup, request: unknown, call: CallParts<ClientReadableStream<Res>>, totalTimeout: number, signal: AbortSignal | undefined) {
    super(setup, request, call);
    this.#deadline = Date.now() + totalTimeout;
    this.#signal = signal;
  }

  run(endpoint: LiveEndpoint, attempt: AttemptHandle): Promise<ClientReadableStream<Res>> {
    const lease = this.setup.pool.acquire(endpoint);
    const method = this.setup.method;
    const call = startCall(lease, (client) => client.makeServerStreamRequest(method.path, exactSerializer(method), method.responseDeserialize, this.request?.take(), this.metadata(attempt, endpoint), this.options(this.#deadline))) as ClientReadableStream<Res>;
    // The stream holds its channel until it ends, whoever holds the stream by then.
    endWithStatus(call, lease);
    return new Promise<ClientReadableStream<Res>>((resolve, reject) => {
      // `running`: false when the stream is established by its OK status (it already ended), so
      // there is nothing left to follow or track — and its 'status' listeners would never fire.
      const established = (running: boolean): void => {
        call.off('metadata', headers).off('status', ended).off('error', failed);
        if (running) {
          // It runs on after its attempt: it counts in its endpoint's inflight until its status.
          this.setup.streams.add(call, attempt);
          followCaller(call, this.#signal);
        }
        resolve(call);
      };
      const headers = (metadata: Metadata): void => {
        established(true);
        replayLater(call, 'metadata', metadata);
      };
      const ended = (status: StatusObject): void => {
        if (status.code !== Status.OK) return;
        established(false);
        // It ended before the caller held it: its 'status' (and trailers) reach a listener added later.
        replayLater(call, 'status', status);
      };
      const failed = (error: ServiceError): void => {
        // bulwark's own total deadline: left to the wheel, which ends the attempt with a TimeoutError.
        if (ownDeadline(error, this.#deadline)) return;
        call.off('metadata', headers).off('status', ended);
        reject(error);
      };
      call.on('metadata', headers).on('status', ended).on('error', failed);
      attempt.onCancel(() => this.discard(call));
    });
  }

  /** A stream that will not reach the caller (late, or a lost hedge): cancelled, its CANCELLED error swallowed. */
  discard(call: ClientReadableStream<Res>): void {
    call.on('error', ignore);
    call.cancel();
  }
}

/**
 * Gives `value` to each listener of `event` added to `call` from now on, as grpc-js would have
 * given it had the listener been there (the response headers or the final status of a stream
 * established before the caller held it).
 */
function replayLater(call: ClientReadableStream<unknown>, event: 'metadata' | 'status', value: unknown): void {
  call.on('newListener', (name: string | symbol, listener: (value: unknown) => void) => {
    if (name === event) queueMicrotask(() => listener.call(call, value));
  });
}

function ignore(): void {}
