import type { IBackoff, IBackoffFactory } from 'cockatiel';
import type { EventEmitter } from 'eventemitter3';
import { unwatchSignal, watchSignal } from './call/caller-signal.js';
import type { EndpointState } from './endpoints/endpoint.js';
import { NoEndpointsError, TimeoutError } from './errors.js';
import { emitSafely, type ClientEvents } from './observe/events.js';
import type { Outcome, ResolvedOptions, Verdict } from './config/options.js';
import type { Picker, PickRequest } from './pickers/picker.js';
import type { RetryBudget } from './pipeline/budget.js';
import type { EndpointRegistry } from './endpoints/registry.js';

/** What the attempt loop needs from its client. */
export interface CallHost {
  readonly options: ResolvedOptions;
  readonly registry: EndpointRegistry;
  readonly picker: Picker;
  readonly budget: RetryBudget | undefined;
  readonly backoff: IBackoffFactory<unknown>;
  readonly events: EventEmitter<ClientEvents>;
  readonly counters: CallCounters;
  readonly active: Set<Interruptible>;
  readonly now: () => number;
  lastDiscoveryError: unknown;
}

/** Running totals shown by `stats()`. */
export interface CallCounters {
  started: number;
  succeeded: number;
  failed: number;
  attempts: number;
  retries: number;
  budgetExhausted: number;
}

/** Something the client can end early (on close). */
export interface Interruptible {
  interrupt(error: unknown): void;
}

/** What a transport sees of the call whose attempt it runs. */
export interface AttemptHandle {
  /** 1-based number of the attempt running now. */
  readonly attempt: number;
  /** The signal of the attempt running now; created on first use. */
  attemptSignal(): AbortSignal;
}

/** What a transport says about one finished attempt. */
export interface Judgement {
  readonly verdict: Verdict;
  /** Short reason for events, e.g. `status 503`. */
  readonly reason: string;
  /** HTTP status, when there was a response. */
  readonly status?: number | undefined;
  /** Server-requested wait before another try (Retry-After), in ms. */
  readonly retryAfter?: number | undefined;
}

/** One kind of call (fetch, execute, …): how to run and judge a single attempt. */
export interface Transport<T> {
  /** Whether the call may be sent twice; decides if attempt timeouts and lost connections are retried. */
  readonly idempotent: boolean;
  /** False when the request cannot be sent again (a stream body): the call gets one attempt. */
  readonly replayable: boolean;
  run(endpoint: EndpointState, call: AttemptHandle): Promise<T>;
  judge(outcome: Outcome<T>, endpoint: EndpointState): Judgement;
  /** Releases a value that will not be returned (e.g. a Response body), before a retry. */
  discard?(value: T): void;
}

/** Latency recorded for a failed attempt that failed faster: a fast failure must not look like a fast host. */
export const FAILURE_PENALTY_MS = 1_000;

const NOTHING_TRIED: readonly EndpointState[] = Object.freeze([]);

type Interrupted = { readonly kind: 'interrupted'; readonly error: unknown };
type Step<T> = { readonly kind: 'done'; readonly outcome: Outcome<T> } | { readonly kind: 'timeout' } | Interrupted;

const TIMED_OUT: Step<never> = Object.freeze({ kind: 'timeout' });

/**
 * One call through the pipeline: pick → attempt → judge → record, then return, or retry on
 * another endpoint while attempts, budget and deadline allow. At most one timer runs at a
 * time (the attempt's, capped at the total deadline, or the backoff sleep's), and an
 * AbortController exists only once something reads the attempt's signal.
 */
export class Call<T> implements PickRequest, AttemptHandle, Interruptible {
  readonly key: string | undefined;
  tried: readonly EndpointState[] = NOTHING_TRIED;
  /** 1-based number of the attempt running now. */
  attempt = 0;
  readonly #host: CallHost;
  readonly #transport: Transport<T>;
  readonly #signal: AbortSignal | undefined;
  readonly #attemptTimeout: number;
  readonly #totalTimeout: number;
  #deadline = 0;
  #controller: AbortController | undefined;
  #resolve: ((step: Step<T>) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;
  /** Set once the call was interrupted: it may land between two waits, and must stop the next one. */
  #interruption: Interrupted | undefined;
  /** Whether an attempt is running: only then does {@link attemptSignal} hand out a live signal. */
  #attemptOpen = false;

  constructor(host: CallHost, transport: Transport<T>, signal: AbortSignal | undefined, key: string | undefined, attemptTimeout: number, totalTimeout: number) {
    this.#host = host;
    this.#transport = transport;
    this.#signal = signal;
    this.key = key;
    this.#attemptTimeout = attemptTimeout;
    this.#totalTimeout = totalTimeout;
  }

  /** The signal of the attempt running now; created on first use. */
  attemptSignal(): AbortSignal {
    // Asked for after its attempt was given up (a late read of ctx.signal): that attempt is over.
    if (!this.#attemptOpen) return AbortSignal.abort(new TimeoutError(this.#host.options.name, 'attempt', this.#attemptTimeout, 'attempt already ended'));
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Ends whatever the call is waiting for with `error` (caller abort, client close), and whatever it would wait for next. */
  interrupt(error: unknown): void {
    this.#interruption ??= { kind: 'interrupted', error };
    this.#controller?.abort(error);
    this.#finish(this.#interruption);
  }

  /** Runs the call to its end: resolves with the value to return or rejects with the error to throw. */
  async run(): Promise<T> {
    const host = this.#host;
    if (this.#signal?.aborted) throw this.#signal.reason;
    host.counters.started++;
    this.#deadline = host.now() + this.#totalTimeout;
    host.active.add(this);
    if (this.#signal !== undefined) watchSignal(this.#signal, this);
    try {
      const value = await this.#loop();
      host.counters.succeeded++;
      return value;
    } catch (err) {
      host.counters.failed++;
      throw err;
    } finally {
      if (this.#signal !== undefined) unwatchSignal(this.#signal, this);
      host.active.delete(this);
    }
  }

  async #loop(): Promise<T> {
    const host = this.#host;
    const { options, registry } = host;
    if (!registry.known) await this.#waitForEndpoints();
    host.budget?.recordCall(host.now());
    const maxAttempts = this.#transport.replayable ? options.attempts : 1;
    let backoff: IBackoff<unknown> | undefined;
    // The newest value a retry passed over (a 503 Response, say): what the call returns if no
    // later attempt gets one, since fetch rejects only when no response was obtained.
    let kept: { value: T } | undefined;
    try {
      for (;;) {
        if (this.#interruption !== undefined) throw this.#interruption.error;
        const endpoint = host.picker.pick(this);
        if (endpoint === undefined) {
          if (kept !== undefined) return kept.value;
          throw new NoEndpointsError(options.name, { cause: host.lastDiscoveryError });
        }
        this.attempt++;
        host.counters.attempts++;
        const started = host.now();
        const remaining = this.#deadline - started;
        const limitedByTotal = remaining <= this.#attemptTimeout;
        endpoint.inflight++;
        this.#attemptOpen = true;
        const step = await this.#race(this.#start(endpoint), limitedByTotal ? remaining : this.#attemptTimeout);
        this.#attemptOpen = false;
        endpoint.inflight--;
        const latency = host.now() - started;

        if (step.kind === 'interrupted') throw step.error;
        let judgement: Judgement;
        let outcome: Outcome<T>;
        if (step.kind === 'timeout') {
          const error = new TimeoutError(options.name, limitedByTotal ? 'total' : 'attempt', limitedByTotal ? this.#totalTimeout : this.#attemptTimeout, `attempt ${this.attempt} to ${endpoint.id}`);
          // Tell the transport to give up too: the server sees the request go away.
          this.#controller?.abort(error);
          this.#controller = undefined;
          this.#record(endpoint, false, latency, limitedByTotal ? 'call timeout' : 'attempt timeout', undefined, error);
          if (limitedByTotal) {
            if (kept !== undefined) return kept.value;
            throw error;
          }
          outcome = { ok: false, error };
          judgement = { verdict: this.#transport.idempotent ? 'retry' : 'failure', reason: 'attempt timeout' };
        } else {
          this.#controller = undefined;
          outcome = step.outcome;
          judgement = this.#transport.judge(outcome, endpoint);
          this.#record(endpoint, judgement.verdict === 'success', latency, judgement.reason, judgement.status, outcome.ok ? undefined : outcome.error);
        }

        let delay = -1;
        if (judgement.verdict === 'retry' && this.attempt < maxAttempts) {
          backoff = backoff === undefined ? host.backoff.next(undefined) : backoff.next(undefined);
          delay = this.#retryDelay(endpoint, judgement, backoff);
        }
        if (delay >= 0) {
          if (outcome.ok) {
            if (kept !== undefined) this.#transport.discard?.(kept.value);
            kept = { value: outcome.value };
          }
          if (delay > 0) {
            const slept = await this.#race(undefined, delay);
            if (slept.kind === 'interrupted') throw slept.error;
          }
          continue;
        }
        if (outcome.ok) {
          if (kept !== undefined) this.#transport.discard?.(kept.value);
          return outcome.value;
        }
        if (kept !== undefined) return kept.value;
        throw outcome.error;
      }
    } catch (err) {
      if (kept !== undefined) this.#transport.discard?.(kept.value);
      throw err;
    }
  }

  /**
   * The wait before a retry, when one can start before the deadline and the budget has one
   * (the retry is then counted and announced); -1 when the call must end here.
   */
  #retryDelay(endpoint: EndpointState, judgement: Judgement, backoff: IBackoff<unknown>): number {
    const host = this.#host;
    const delay = Math.max(backoff.duration, judgement.retryAfter ?? 0);
    // A retry that cannot start before the deadline only burns budget.
    const now = host.now();
    if (now + delay >= this.#deadline) return -1;
    if (host.budget !== undefined && !host.budget.tryRetry(now)) {
      host.counters.budgetExhausted++;
      emitSafely(host.events, 'budgetExhausted', { endpoint, attempt: this.attempt, reason: judgement.reason });
      return -1;
    }
    host.counters.retries++;
    this.tried = this.tried === NOTHING_TRIED ? [endpoint] : [...this.tried, endpoint];
    if (host.events.listenerCount('retry') > 0) {
      emitSafely(host.events, 'retry', { endpoint, attempt: this.attempt + 1, delay, reason: judgement.reason });
    }
    return delay;
  }

  /** Starts the transport, turning a synchronous throw into a rejection. */
  #start(endpoint: EndpointState): Promise<T> {
    try {
      return this.#transport.run(endpoint, this);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #record(endpoint: EndpointState, ok: boolean, latency: number, reason: string, status: number | undefined, error: unknown): void {
    const now = this.#host.now();
    if (ok) {
      endpoint.successes++;
      endpoint.latency.observe(latency, now);
    } else {
      endpoint.failures++;
      endpoint.latency.observe(Math.max(latency, FAILURE_PENALTY_MS), now);
    }
    const events = this.#host.events;
    if (events.listenerCount('attempt') > 0) {
      emitSafely(events, 'attempt', { endpoint, attempt: this.attempt, ok, latency, reason, status, error });
    }
  }

  async #waitForEndpoints(): Promise<void> {
    const remaining = this.#deadline - this.#host.now();
    const stopWaiting = this.#host.registry.onKnown(this.#onEndpointsKnown);
    const step = await this.#race(undefined, remaining);
    stopWaiting();
    if (step.kind === 'interrupted') throw step.error;
    if (step.kind === 'timeout') {
      throw new TimeoutError(this.#host.options.name, 'total', this.#totalTimeout, 'waiting for a first endpoint set', { cause: this.#host.lastDiscoveryError });
    }
  }

  /** Waits for `work` (or, with none, just the timer) to settle, for `ms` to pass, or for an interruption. */
  #race(work: Promise<T> | undefined, ms: number): Promise<Step<T>> {
    if (this.#interruption !== undefined) {
      work?.then((value) => this.#late(value), ignore);
      return Promise.resolve(this.#interruption);
    }
    const generation = ++this.#generation;
    return new Promise<Step<T>>((resolve) => {
      this.#resolve = resolve;
      // Not unref()ed, unlike background timers: a caller is awaiting this call, so it must
      // keep the process alive until the call settles (a backoff sleep has no socket that would).
      this.#timer = setTimeout(this.#onTimer, ms);
      work?.then(
        (value) => { if (generation === this.#generation) this.#finish({ kind: 'done', outcome: { ok: true, value } }); else this.#late(value); },
        (error: unknown) => { if (generation === this.#generation) this.#finish({ kind: 'done', outcome: { ok: false, error } }); },
      );
    });
  }

  readonly #onEndpointsKnown = (): void => {
    this.#finish({ kind: 'done', outcome: { ok: true, value: undefined as T } });
  };

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#finish(TIMED_OUT);
  };

  #finish(step: Step<T>): void {
    const resolve = this.#resolve;
    if (resolve === undefined) return;
    this.#resolve = undefined;
    this.#generation++;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    resolve(step);
  }

  /** A value that arrived after its attempt was given up: release it. */
  #late(value: T): void {
    if (value !== undefined) this.#transport.discard?.(value);
  }
}

function ignore(): void {}
