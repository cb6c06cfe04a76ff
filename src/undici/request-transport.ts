import type { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import type { Classify, Outcome } from '../config/options.js';
import { authorizationOf, type LiveEndpoint } from '../endpoints/endpoint.js';
import { isIdempotentMethod } from '../transports/classify.js';
import type { AttemptHandle, Judgement, Transport } from '../transports/transport.js';
import { AttemptSignal } from './attempt-signal.js';
import { drainBody } from './drain.js';
import { isReplayable, withAuthorization, withoutBodyHeaders } from './headers.js';
import { checkHttpEndpoint, HttpJudge } from '../transports/http-judge.js';
import { UNDICI_READER } from './judge.js';
import type { EndpointPools } from './pools.js';
import { watchedBody } from '../transports/release-body.js';

/** What an undici request transport needs from its client, fixed per client. */
export interface RequestSettings {
  readonly service: string;
  readonly statusCodes: ReadonlySet<number>;
  readonly pools: EndpointPools;
}

/** The undici request options one call sends to every endpoint it tries (no origin, path or signal: bulwark sets those). */
export type UndiciDispatchOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'signal' | 'method' | 'idempotent'> & { method?: Dispatcher.HttpMethod };

/**
 * Runs a call as undici `request`s on the picked endpoint's pool. Status, Retry-After and
 * network errors are judged as `client.fetch` judges them; a retried response's body is
 * dumped (read to the end, up to undici's 128 KiB dump limit) so its socket is kept.
 */
export class UndiciRequestTransport implements Transport<Dispatcher.ResponseData<unknown>> {
  readonly idempotent: boolean;
  readonly replayable: boolean;
  /** An attempt has handed the request (its body) to undici, which then ends a stream body itself on failure. */
  sent = false;
  readonly #settings: RequestSettings;
  readonly #path: string;
  readonly #options: UndiciDispatchOptions;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #judge: HttpJudge<Dispatcher.ResponseData<unknown>>;

  constructor(settings: RequestSettings, path: string, options: UndiciDispatchOptions, idempotent: boolean | undefined, classify: Classify<Dispatcher.ResponseData<unknown>> | undefined, callerSignal: AbortSignal | undefined) {
    this.#settings = settings;
    this.#path = path;
    this.#options = options;
    this.#callerSignal = callerSignal;
    this.idempotent = idempotent ?? isIdempotentMethod(options.method);
    this.replayable = isReplayable(options.body);
    this.#judge = new HttpJudge<Dispatcher.ResponseData<unknown>>(settings.service, settings.statusCodes, classify, UNDICI_READER);
  }

  run(endpoint: LiveEndpoint, attempt: AttemptHandle): Promise<Dispatcher.ResponseData<unknown>> {
    checkHttpEndpoint(this.#settings.service, 'undici', endpoint);
    const signal = new AttemptSignal(this.#callerSignal);
    attempt.onCancel(signal.fire);
    const auth = authorizationOf(endpoint);
    const options = this.#options;
    const headers = (auth === undefined ? options.headers : withAuthorization(options.headers, auth)) ?? null;
    const pool = this.#settings.pools.get(endpoint);
    this.sent = true;
    return pool.request<unknown>({
      ...options,
      // A stream body goes through a relay that tells its source's own errors from the network's.
      ...(this.replayable ? {} : { body: watchedBody(options.body) as NonNullable<UndiciDispatchOptions['body']> }),
      method: options.method ?? 'GET',
      path: endpoint.basePath + this.#path,
      headers,
      // Undici takes an EventEmitter-like signal: this one costs no AbortController per attempt.
      signal: signal as unknown as EventEmitter,
      // Undici re-sends an idempotent request its pipelined connection lost: not one the caller says may not reach a server twice.
      idempotent: this.idempotent,
    });
  }

  judge(outcome: Outcome<Dispatcher.ResponseData<unknown>>, endpoint: LiveEndpoint): Judgement {
    return this.#judge.judge(outcome, endpoint, this.idempotent);
  }

  /** Reads the body away to keep its socket: at most DRAIN_LIMIT bytes, within DRAIN_TIMEOUT_MS, or the body is destroyed. */
  discard(value: Dispatcher.ResponseData<unknown>): void {
    drainBody(value.body);
  }

  /**
   * Reads the retried response's body away (keeping the socket) and keeps its status and headers
   * behind an empty body, without the headers that announced the body (`content-length`,
   * `transfer-encoding`): a gateway passing them on would promise bytes that never come.
   */
  detach(value: Dispatcher.ResponseData<unknown>): Dispatcher.ResponseData<unknown> {
    this.discard(value);
    return { ...value, headers: withoutBodyHeaders(value.headers), body: emptyBodyLike(value.body) };
  }

  failure(error: unknown): unknown {
    return this.#judge.failure(error);
  }
}

function ignore(): void {}

type Body = Dispatcher.ResponseData['body'];

/** An ended body of the same kind (undici's BodyReadable: `text()`, `json()`, `dump()` work and give nothing). */
function emptyBodyLike(body: Body): Body {
  const Ctor = body.constructor as new (options: { resume: () => void; abort: () => void; contentType?: string }) => Body;
  const empty = new Ctor({ resume: ignore, abort: ignore, contentType: '' });
  empty.push(null);
  return empty;
}
