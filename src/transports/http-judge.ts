import type { Classify, Outcome } from '../config/options.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import { BulwarkError, RequestFailedError, type AttemptSummary } from '../errors.js';
import { errorJudgement, invalidRequest, runClassify, statusJudgement, UNSUPPORTED_ENDPOINT } from './classify.js';
import { failedInBody } from './release-body.js';
import type { Judgement } from './transport.js';

/** How a judge reads a response of one HTTP client: its status and the server's Retry-After. */
export interface ResponseReader<T> {
  status(value: T): number;
  retryAfter(value: T): string | null;
}

/**
 * The judgement and error reporting every HTTP transport shares (`client.fetch` and both
 * undici transports): the default rules of classify.ts, a user's `classify` over them, and the
 * attempts of a call for the `RequestFailedError` it ends with when no response came.
 */
export class HttpJudge<T> {
  readonly #service: string;
  readonly #statusCodes: ReadonlySet<number>;
  readonly #classify: Classify<T> | undefined;
  readonly #read: ResponseReader<T>;
  #history: AttemptSummary[] | undefined;

  constructor(service: string, statusCodes: ReadonlySet<number>, classify: Classify<T> | undefined, read: ResponseReader<T>) {
    this.#service = service;
    this.#statusCodes = statusCodes;
    this.#classify = classify;
    this.#read = read;
  }

  /**
   * `answered`: an earlier hop of the attempt got a response (a followed redirect), or the
   * origin of the redirect's target where it then failed; see `errorJudgement`.
   */
  judge(outcome: Outcome<T>, endpoint: LiveEndpoint, idempotent: boolean, answered: boolean | string = false): Judgement {
    let judgement = outcome.ok
      ? statusJudgement(this.#read.status(outcome.value), this.#read.retryAfter(outcome.value), idempotent, this.#statusCodes)
      : errorJudgement(outcome.error, idempotent, answered);
    // The history is read only by `failure`, and an attempt judged a success ends its call with
    // its response: without a classify that could overrule it, such an attempt is not recorded.
    if (judgement.verdict !== 'success' || this.#classify !== undefined) {
      (this.#history ??= []).push({ endpoint: endpoint.id, reason: judgement.reason, status: judgement.status });
    }
    // An invalid request fails on every endpoint: no classify can make it worth retrying.
    if (this.#classify !== undefined && judgement.invalid !== true) {
      const verdict = runClassify(this.#service, this.#classify, outcome, endpoint);
      if (verdict !== undefined) judgement = { ...judgement, verdict };
    }
    return judgement;
  }

  /**
   * The error a call without a response ends with: bulwark's own verdicts, an invalid request's
   * error and a stream body source's (as the HTTP client gives it) as they are, anything from
   * the network as `RequestFailedError`.
   */
  failure(error: unknown): unknown {
    if (error instanceof BulwarkError && error.code !== UNSUPPORTED_ENDPOINT) return error;
    if (invalidRequest(error) || failedInBody(error)) return error;
    return new RequestFailedError(this.#service, this.#history ?? [], { cause: error });
  }
}

/** Throws the error an HTTP `client` throws for an endpoint it cannot talk to (nothing is sent; the call tries another). */
export function checkHttpEndpoint(service: string, client: string, endpoint: LiveEndpoint): void {
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new BulwarkError(UNSUPPORTED_ENDPOINT, service, `${service}: ${client} needs an http or https endpoint, not ${endpoint.id}`);
  }
}
