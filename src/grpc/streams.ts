import { status as Status, type ClientDuplexStream, type ClientWritableStream, type Metadata, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import type { Classify, Outcome } from '../config/options.js';
import { TimeoutError } from '../errors.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { AttemptHandle, Judgement } from '../transports/transport.js';
import { endWithStatus, followCaller, startCall } from './call-life.js';
import { exactSerializer, RequestSnapshot } from './request-snapshot.js';
import { GrpcTransport, ownDeadline, watchCommit, type CallParts, type MethodSetup } from './transport.js';

/** What a client-streaming call sends: an array (replayable: retried like a unary call) or any (async) iterable (one attempt). */
export type RequestMessages<Req> = readonly Req[] | Iterable<Req> | AsyncIterable<Req>;

/**
 * One client-streaming call: bulwark writes the caller's messages and resolves with the
 * server's one response, judged and retried like a unary call. An array of messages can be sent
 * again, so such a call is retried (and hedged) like a unary one; any other iterable is read
 * once, so the call gets one attempt. Each attempt's grpc deadline is what it has left. Once
 * the call has its status (a response, an error, or a cancel), bulwark stops reading the
 * messages and finishes the iterable (its `return()`).
 */
export class ClientStreamTransport<Res> extends GrpcTransport<Res> {
  override readonly replayable: boolean;
  /** What the caller's iterable threw, boxed (it may throw anything, `undefined` included). */
  #sourceFailed: { readonly error: unknown } | undefined;
  /** An array's messages as they were when the call was made (sent by every attempt), or the iterable, read once. */
  readonly #messages: readonly RequestSnapshot[] | RequestMessages<unknown>;

  constructor(setup: MethodSetup, messages: RequestMessages<unknown>, call: CallParts<Res>) {
    super(setup, undefined, call);
    this.replayable = Array.isArray(messages);
    // An array is copied now (and each message serialized): a caller who empties or changes it
    // after the call changes neither this attempt's messages nor a retry's.
    this.#messages = Array.isArray(messages) ? (messages as readonly unknown[]).map((m) => new RequestSnapshot(setup.method, m)) : messages;
  }

  /** The messages one attempt writes. */
  #toSend(): RequestMessages<unknown> {
    const messages = this.#messages;
    return this.replayable ? (messages as readonly RequestSnapshot[]).map((m) => m.take()) : (messages as RequestMessages<unknown>);
  }

  run(endpoint: LiveEndpoint, attempt: AttemptHandle): Promise<Res> {
    const lease = this.setup.pool.acquire(endpoint);
    const method = this.setup.method;
    const deadline = Date.now() + attempt.remaining();
    const upload = new Upload();
    return new Promise<Res>((resolve, reject) => {
      let failed = (error: ServiceError): ServiceError => error;
      const call = startCall(lease, (client) => client.makeClientStreamRequest(method.path, exactSerializer(method), method.responseDeserialize, this.metadata(attempt, endpoint), this.options(deadline), (error: ServiceError | null, value?: unknown) => {
        lease.end();
        upload.stop();
        if (error === null) resolve(value as Res);
        else if (!ownDeadline(error, deadline)) reject(failed(error));
      })) as ClientWritableStream<unknown>;
      failed = watchCommit(call);
      attempt.onCancel(() => {
        upload.stop();
        call.cancel();
      });
      writeAll(call, this.#toSend(), upload).catch((err: unknown) => {
        // The caller's iterable threw: the call is abandoned, and the caller gets what it threw.
        this.#sourceFailed ??= { error: err };
        call.cancel();
        reject(err);
      });
    });
  }

  override judge(outcome: Outcome<Res>, endpoint: LiveEndpoint): Judgement {
    // The caller's own messages failed, not the server: an invalid request, as fetch judges a
    // body that cannot be read — not retried, nothing against the endpoint, whatever a classify says.
    if (!outcome.ok && this.#sourceFailed !== undefined && outcome.error === this.#sourceFailed.error) return SOURCE_FAILED;
    return super.judge(outcome, endpoint);
  }
}

const SOURCE_FAILED: Judgement = Object.freeze({ verdict: 'failure', reason: 'request messages failed', invalid: true });

/** One attempt's upload: stopped when the call has its status or is cancelled, which also wakes a writer waiting for 'drain'. */
class Upload {
  stopped = false;
  #wake: (() => void) | undefined;
  /** Finishes the caller's async iterator while the upload waits for its next message. */
  abandon: (() => void) | undefined;

  /** No more messages are wanted. */
  stop(): void {
    this.stopped = true;
    this.#wake?.();
    const abandon = this.abandon;
    this.abandon = undefined;
    abandon?.();
  }

  /** Resolves at the call's next 'drain' or when the upload stops, whichever comes first, leaving no listener behind. */
  drained(call: ClientWritableStream<unknown>): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        call.off('drain', done);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      call.on('drain', done);
    });
  }
}

/**
 * Writes every message (respecting back-pressure), then half-closes; stops as soon as the upload
 * does. Returning from inside `for await` finishes the caller's iterator (`return()`).
 */
async function writeAll(call: ClientWritableStream<unknown>, messages: RequestMessages<unknown>, upload: Upload): Promise<void> {
  for await (const message of finishable(messages, upload)) {
    if (upload.stopped) return;
    if (!call.write(message)) await upload.drained(call);
    if (upload.stopped) return;
  }
  if (!upload.stopped) call.end();
}

/**
 * The caller's messages, read by `writeAll`. An async iterator may wait long for its next message
 * (`events.on`, a queue fed by other code): when the upload stops meanwhile (the call has its
 * status, or was cancelled), its `return()` is called at once, so it releases what it holds
 * (`events.on` removes its listener) instead of waiting for a message that may never come. Sync
 * iterables never wait, and are finished by `for await` as usual.
 */
function finishable(messages: RequestMessages<unknown>, upload: Upload): Iterable<unknown> | AsyncIterable<unknown> {
  const source = messages as Partial<AsyncIterable<unknown>>;
  if (typeof source[Symbol.asyncIterator] !== 'function') return messages as Iterable<unknown>;
  return {
    [Symbol.asyncIterator](): AsyncIterator<unknown> {
      const iterator = source[Symbol.asyncIterator]!();
      let finished: Promise<IteratorResult<unknown>> | undefined;
      const finish = (): Promise<IteratorResult<unknown>> => (finished ??= (async () => {
        if (typeof iterator.return === 'function') await iterator.return();
        return { done: true, value: undefined };
      })());
      return {
        next: async () => {
          if (upload.stopped) return finish();
          upload.abandon = () => { finish().catch(ignore); };
          try {
            return await iterator.next();
          } finally {
            upload.abandon = undefined;
          }
        },
        return: finish,
      };
    },
  };
}

function ignore(): void {}

/** The errors of bidi streams their caller cancelled before the server's first answer. */
const CALLER_CANCELLED = new WeakSet<object>();

/**
 * One bidi-streaming call: one attempt, never retried. The stream is handed to the caller as
 * soon as the attempt starts (`deliver`): a bidi server often waits for the caller's messages
 * before it answers, so the caller must be able to write at once, and what it wrote cannot be
 * sent again. The attempt ends — and is judged, health-accounted and timed — at the server's
 * first answer: its response headers (success), or a status before them, judged as a unary
 * call's (a code in `codes.unhealthy` or a refused connection counts against the endpoint, any
 * other status does not; grpc-js reporting bulwark's own deadline is a timeout, as the wheel's);
 * from its response headers until its status the stream counts in its endpoint's `inflight`. The
 * stream's grpc deadline is the call's total deadline; the caller's signal cancels it while it
 * runs, and `close()` cancels it.
 */
export class BidiStreamTransport extends GrpcTransport<ClientDuplexStream<unknown, unknown>> {
  override readonly replayable = false;
  readonly #deadline: number;
  readonly #signal: AbortSignal | undefined;
  readonly #deliver: (call: ClientDuplexStream<unknown, unknown>) => void;

  constructor(setup: MethodSetup, metadata: Metadata | undefined, classify: Classify<ClientDuplexStream<unknown, unknown>> | undefined, totalTimeout: number, signal: AbortSignal | undefined, deliver: (call: ClientDuplexStream<unknown, unknown>) => void) {
    super(setup, undefined, { metadata, idempotent: false, classify });
    this.#deadline = Date.now() + totalTimeout;
    this.#signal = signal;
    this.#deliver = deliver;
  }

  run(endpoint: LiveEndpoint, attempt: AttemptHandle): Promise<ClientDuplexStream<unknown, unknown>> {
    const lease = this.setup.pool.acquire(endpoint);
    const method = this.setup.method;
    const call = startCall(lease, (client) => client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, this.metadata(attempt, endpoint), this.options(this.#deadline))) as ClientDuplexStream<unknown, unknown>;
    // The stream holds its channel until it ends.
    endWithStatus(call, lease);
    // A deadline bulwark set (the attempt's, or the call's total) ends the stream as grpc-js's own
    // deadline would: DEADLINE_EXCEEDED on the caller's stream, not a CANCELLED it did not ask for.
    attempt.onCancel((reason) => {
      const inner = (call as { call?: { cancelWithStatus(code: Status, details: string): void } | null }).call;
      if (reason instanceof TimeoutError && inner != null) inner.cancelWithStatus(Status.DEADLINE_EXCEEDED, 'Deadline exceeded');
      else call.cancel();
    });
    // The caller holds the stream from the start and may cancel it before the server answered:
    // that CANCELLED is no answer of the endpoint's (bulwark's own cancels end the attempt first).
    const cancel = call.cancel.bind(call);
    let cancelled = false;
    call.cancel = (): void => {
      cancelled = true;
      cancel();
    };
    this.setup.streams.add(call);
    followCaller(call, this.#signal);
    const answered = new Promise<ClientDuplexStream<unknown, unknown>>((resolve, reject) => {
      const headers = (): void => {
        call.off('status', ended);
        // Established: it counts in its endpoint's inflight until its status, past its attempt.
        this.setup.streams.hold(call, attempt);
        resolve(call);
      };
      const ended = (status: StatusObject): void => {
        call.off('metadata', headers);
        // bulwark's own deadline: left to the wheel, which times the attempt out.
        if (ownDeadline(status, this.#deadline)) return;
        if (status.code === Status.OK) resolve(call);
        else {
          const error = Object.assign(new Error(`${status.code} ${status.details}`), status);
          if (cancelled && status.code === Status.CANCELLED) CALLER_CANCELLED.add(error);
          reject(error);
        }
      };
      call.once('metadata', headers).once('status', ended);
    });
    this.#deliver(call);
    return answered;
  }

  override judge(outcome: Outcome<ClientDuplexStream<unknown, unknown>>, endpoint: LiveEndpoint): Judgement {
    // Cancelled by the caller before the server answered: neither a success nor the endpoint's fault.
    if (!outcome.ok && CALLER_CANCELLED.has(outcome.error as object)) return { verdict: 'failure', reason: 'CANCELLED (by the caller)', invalid: true };
    // One attempt: only the health reading of the status (a classify's included) matters, so 'retry' reads as what it is.
    const judgement = super.judge(outcome, endpoint);
    return judgement.verdict === 'retry' ? { ...judgement, verdict: 'failure' } : judgement;
  }
}
