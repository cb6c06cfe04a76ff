import type { Dispatcher } from 'undici';
import { Attempt } from '../call/attempt.js';
import type { Outcome } from '../config/options.js';
import { authorizationOf, type LiveEndpoint } from '../endpoints/endpoint.js';
import { tlsServerName } from '../endpoints/server-name.js';
import { isIdempotentMethod } from '../transports/classify.js';
import type { AttemptHandle, Judgement, Transport } from '../transports/transport.js';
import { isReplayable, withAuthorization } from './headers.js';
import { checkHttpEndpoint, HttpJudge } from '../transports/http-judge.js';
import { originOf, UNDICI_READER } from './judge.js';
import { queuedAbortKey, withoutQueuedAbort } from './queued-abort.js';
import { failedAfterRedirect, RoutedAttempt } from './routed-attempt.js';
import { DEFAULTS } from '../config/resolve.js';
import { requestTarget } from '../transports/request-path.js';
import { watchedBody } from '../transports/release-body.js';

const DEFAULT_STATUS_CODES: ReadonlySet<number> = new Set(DEFAULTS.statusCodes);

/**
 * The dispatcher under the interceptor was destroyed or closed by its owner (undici's
 * `ClientDestroyedError`, `ClientClosedError`): a local condition that fails on every endpoint
 * alike. Not retried, nothing against the endpoint (as an invalid request), and the caller gets
 * undici's error as it is.
 */
const DISPATCHER_GONE: Judgement = Object.freeze({ verdict: 'failure', reason: 'dispatcher closed', invalid: true });

function dispatcherGone(error: unknown): boolean {
  const code = error !== null && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED';
}

/** Something a routed call's caller can end: the call, once an attempt has shown it. */
export interface Interruptible {
  interrupt(error: unknown): void;
}

/**
 * Runs a request an interceptor took as attempts dispatched, through the next dispatcher in the
 * chain, to the picked endpoint's origin (its base path before the request's path). Judged as
 * `client.fetch` judges; an inner undici retry interceptor is told not to retry (bulwark does).
 */
export class RoutedTransport implements Transport<RoutedAttempt> {
  readonly idempotent: boolean;
  readonly replayable: boolean;
  /** The call this transport runs, known from its first attempt: a caller's abort interrupts it. */
  call: Interruptible | undefined;
  /** A caller's abort that came before any attempt started. */
  abortedWith: { reason: unknown } | undefined;
  readonly #service: string;
  readonly #dispatch: Dispatcher['dispatch'];
  readonly #options: Dispatcher.DispatchOptions;
  /** The client's retried statuses, set when the call starts. */
  statusCodes: ReadonlySet<number> = DEFAULT_STATUS_CODES;
  #judge: HttpJudge<RoutedAttempt> | undefined;

  constructor(service: string, dispatch: Dispatcher['dispatch'], options: Dispatcher.DispatchOptions) {
    this.#service = service;
    this.#dispatch = dispatch;
    // Without the caller's own queued-abort hook (given for the caller's request, which is never queued itself), once per call.
    this.#options = withoutQueuedAbort(options);
    // undici's own `idempotent` option is the caller's word, as for undici ("can be safely retried"); else the method's.
    this.idempotent = typeof options.idempotent === 'boolean' ? options.idempotent : isIdempotentMethod(options.method);
    this.replayable = isReplayable(options.body);
  }

  run(endpoint: LiveEndpoint, attempt: AttemptHandle): Promise<RoutedAttempt> {
    if (this.call === undefined && attempt instanceof Attempt) this.call = attempt.ctx;
    checkHttpEndpoint(this.#service, 'undici', endpoint);
    const routed = new RoutedAttempt();
    attempt.onCancel(routed.cancel);
    if (this.abortedWith !== undefined) {
      // Aborted while the call waited for endpoints: end the call as a caller's abort does.
      const { reason } = this.abortedWith;
      queueMicrotask(() => this.call?.interrupt(reason));
      return routed.promise;
    }
    const options = this.#options;
    const auth = authorizationOf(endpoint);
    const retryOptions = (options as { retryOptions?: object }).retryOptions;
    // An endpoint at an IP address is checked against the name discovery found it by.
    const servername = endpoint.protocol === 'https:' && (options as { servername?: unknown }).servername === undefined ? tlsServerName(endpoint) : undefined;
    // Taken out of the dispatcher's queue at once when it is cut short there (undici's hook).
    const queued = queuedAbortKey();
    this.#dispatch({
      ...options,
      ...(queued === undefined ? {} : { [queued]: routed.queued }),
      origin: originOf(endpoint),
      path: routedPath(endpoint.basePath, options.path),
      headers: auth === undefined ? options.headers : withAuthorization(options.headers, auth),
      // An undici retry interceptor composed under this one would retry each attempt again.
      retryOptions: { ...retryOptions, maxRetries: 0 },
      // A stream body (fetch's always is) goes through a relay that tells its source's own errors from the network's.
      ...(this.replayable ? {} : { body: watchedBody(options.body) }),
      ...(servername === undefined ? {} : { servername }),
    } as Dispatcher.DispatchOptions, routed);
    return routed.promise;
  }

  judge(outcome: Outcome<RoutedAttempt>, endpoint: LiveEndpoint): Judgement {
    if (!outcome.ok && dispatcherGone(outcome.error)) return DISPATCHER_GONE;
    this.#judge ??= new HttpJudge<RoutedAttempt>(this.#service, this.statusCodes, undefined, UNDICI_READER);
    // A failure after a followed redirect (undici's redirect interceptor composed under bulwark's):
    // the endpoint answered, so a refused connection now proves nothing about what was sent.
    return this.#judge.judge(outcome, endpoint, this.idempotent, !outcome.ok && failedAfterRedirect(outcome.error));
  }

  discard(value: RoutedAttempt): void {
    value.discard();
  }

  detach(value: RoutedAttempt): RoutedAttempt {
    value.discard();
    value.detached = true;
    return value;
  }

  failure(error: unknown): unknown {
    if (dispatcherGone(error)) return error;
    this.#judge ??= new HttpJudge<RoutedAttempt>(this.#service, this.statusCodes, undefined, UNDICI_READER);
    return this.#judge.failure(error);
  }
}

/**
 * The path a routed request is sent to: an absolute URL's path and query (undici takes one as a
 * path), under the endpoint's base path, whose dot segments cannot climb out of it
 * (request-path.ts). A path that starts with neither goes as it is, for undici to refuse as it
 * would without bulwark (nothing is sent).
 */
function routedPath(basePath: string, path: string): string {
  let target = path;
  if (/^https?:\/\//i.test(path)) {
    const url = URL.parse(path);
    if (url !== null) target = url.pathname + url.search;
  }
  if (basePath === '' || !target.startsWith('/')) return target;
  return basePath + requestTarget(target);
}
