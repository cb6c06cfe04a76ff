import type { Classify, Outcome } from '../config/options.js';
import type { EndpointState } from '../endpoints/endpoint.js';
import { BulwarkError, RequestFailedError, type AttemptSummary } from '../errors.js';
import { errorJudgement, runClassify, statusJudgement, UNSUPPORTED_ENDPOINT } from '../transports/classify.js';
import type { Judgement } from '../transports/transport.js';

/** What both undici transports read from a response: its status and the server's Retry-After. */
export interface ResponseHead {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
}

/**
 * The judgement and error reporting both undici transports share with `client.fetch`: the same
 * default rules (classify.ts), a user's `classify` over them, and the endpoints tried for the
 * `RequestFailedError` a call without a response ends with.
 */
export class HttpJudge<T> {
  readonly #service: string;
  readonly #statusCodes: ReadonlySet<number>;
  readonly #classify: Classify<T> | undefined;
  readonly #head: (value: T) => ResponseHead;
  #history: AttemptSummary[] | undefined;

  constructor(service: string, statusCodes: ReadonlySet<number>, classify: Classify<T> | undefined, head: (value: T) => ResponseHead) {
    this.#service = service;
    this.#statusCodes = statusCodes;
    this.#classify = classify;
    this.#head = head;
  }

  judge(outcome: Outcome<T>, endpoint: EndpointState, idempotent: boolean): Judgement {
    let judgement: Judgement;
    if (outcome.ok) {
      const { statusCode, headers } = this.#head(outcome.value);
      const retryAfter = headers['retry-after'];
      judgement = statusJudgement(statusCode, (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) ?? null, idempotent, this.#statusCodes);
    } else {
      judgement = errorJudgement(outcome.error, idempotent);
    }
    (this.#history ??= []).push({ endpoint: endpoint.id, reason: judgement.reason, status: judgement.status });
    if (this.#classify !== undefined) {
      const verdict = runClassify(this.#service, this.#classify, outcome, endpoint);
      if (verdict !== undefined) judgement = { ...judgement, verdict };
    }
    return judgement;
  }

  /** The error a call without a response ends with: bulwark's own verdicts as they are, anything from the network as `RequestFailedError`. */
  failure(error: unknown): unknown {
    if (error instanceof BulwarkError && error.code !== UNSUPPORTED_ENDPOINT) return error;
    return new RequestFailedError(this.#service, this.#history ?? [], { cause: error });
  }
}

/** Throws the error `fetch` throws for an endpoint it cannot talk to (nothing is sent; the call tries another). */
export function checkHttpEndpoint(service: string, endpoint: EndpointState): void {
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new BulwarkError(UNSUPPORTED_ENDPOINT, service, `${service}: undici needs an http or https endpoint, not ${endpoint.id}`);
  }
}

/** `http://host:port` of an endpoint (its URL without the base path): the origin a pool connects to. */
export function originOf(endpoint: EndpointState): string {
  return endpoint.basePath === '' ? endpoint.url : endpoint.url.slice(0, endpoint.url.length - endpoint.basePath.length);
}
