import type { AttemptHandle, Judgement, Transport } from '../call.js';
import type { Endpoint, EndpointState } from '../endpoints/endpoint.js';
import type { AttemptContext, Outcome, Verdict } from '../config/options.js';
import { failureReason, networkFailure } from './classify.js';

/** The function `execute` runs once per attempt. */
export type AttemptFn<T> = (endpoint: Endpoint, context: AttemptContext) => Promise<T> | T;

/**
 * Runs any async function as an attempt. A returned value is a success and a thrown error a
 * retryable failure, unless the call is not idempotent (then only errors proving nothing was
 * sent, such as ECONNREFUSED, are retried) or a `classify` function says otherwise.
 */
export class ExecuteTransport<T> implements Transport<T> {
  readonly idempotent: boolean;
  readonly replayable = true;
  readonly #fn: AttemptFn<T>;
  readonly #classify: ((outcome: Outcome<T>, endpoint: Endpoint) => Verdict) | undefined;

  constructor(fn: AttemptFn<T>, classify: ((outcome: Outcome<T>, endpoint: Endpoint) => Verdict) | undefined, idempotent: boolean | undefined) {
    this.#fn = fn;
    this.#classify = classify;
    this.idempotent = idempotent ?? true;
  }

  run(endpoint: EndpointState, call: AttemptHandle): Promise<T> {
    return Promise.resolve(this.#fn(endpoint, new ExecuteContext(call)));
  }

  judge(outcome: Outcome<T>, endpoint: EndpointState): Judgement {
    const reason = outcome.ok ? 'value' : failureReason(outcome.error);
    if (this.#classify !== undefined) return { verdict: this.#classify(outcome, endpoint), reason };
    if (outcome.ok) return { verdict: 'success', reason };
    const retry = this.idempotent || networkFailure(outcome.error) === 'not-sent';
    return { verdict: retry ? 'retry' : 'failure', reason };
  }
}

/** The context of one attempt; its signal costs nothing until read. */
class ExecuteContext implements AttemptContext {
  readonly attempt: number;
  readonly #call: AttemptHandle;
  #signal: AbortSignal | undefined;

  constructor(call: AttemptHandle) {
    this.#call = call;
    this.attempt = call.attempt;
  }

  get signal(): AbortSignal {
    // Read after its attempt was given up: that attempt is over, so its signal is aborted.
    this.#signal ??= this.#call.attempt === this.attempt ? this.#call.attemptSignal() : AbortSignal.abort();
    return this.#signal;
  }
}
