import type { IBackoffFactory } from 'cockatiel';
import { DEFAULTS } from '../config/defaults.js';
import { ENDPOINT_REMOVED } from '../call/attempt.js';
import type { AttemptResult, CallContext, CallTimer } from '../call/context.js';
import type { LiveEndpoint } from '../endpoints/endpoint.js';
import { overtakenByDeadline, startsInTime } from '../call/deadline.js';
import type { RetryBudget } from './budget.js';
import { noAttempt } from './attempt.js';
import { withKept } from './kept-response.js';
import { Stage } from './stage.js';

/**
 * Retries a result judged `'retry'` on another endpoint while attempts, the deadline and the
 * retry budget allow, after an exponential backoff (at least the server's `Retry-After`).
 * A value a retry passes over (a 503 Response) is kept, its body released, and returned if no
 * later attempt gets one: `fetch` rejects only when no response was obtained.
 */
export class RetryStage extends Stage implements CallTimer {
  readonly #budget: RetryBudget | undefined;
  readonly #backoff: IBackoffFactory<unknown>;

  constructor(budget: RetryBudget | undefined, backoff: IBackoffFactory<unknown>) {
    super();
    this.#budget = budget;
    this.#backoff = backoff;
  }

  run<T>(ctx: CallContext<T>): void {
    this.#budget?.recordCall(ctx.now);
    this.inner.run(ctx);
  }

  override done<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    // The usual result, final with nothing kept, goes straight up (small enough for V8 to inline).
    if (result.verdict !== 'retry' && ctx.kept === undefined) this.outer.done(ctx, result);
    else this.#decide(ctx, result);
  }

  #decide<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    if (result.verdict === 'retry' && ctx.interruption === undefined && !ctx.noRetry && ctx.attempts < ctx.maxAttempts) {
      // The attempt's listeners (and a classify) ran since the clock was read at its end, and may
      // have taken long: whether a retry still fits before the deadline is judged from now.
      ctx.now = ctx.host.clock.now();
      const delay = this.#delay(ctx, result);
      if (delay >= 0) {
        this.#retry(ctx, result, delay);
        return;
      }
      result = overtakenByDeadline(ctx, result);
    }
    this.#finish(ctx, result);
  }

  /** The wait before the retry, or -1 when the call must end here (the retry is then not counted). */
  #delay<T>(ctx: CallContext<T>, result: AttemptResult<T>): number {
    // Not sent because the user's code had its endpoint removed first: nothing reached any server,
    // so there is no load to back off from; the retry goes to another endpoint at once, as a
    // hedge in its place would be replaced.
    if (result.reason === ENDPOINT_REMOVED) return startsInTime(ctx, 0) && ctx.host.health?.noCandidates !== true ? 0 : -1;
    ctx.backoff = ctx.backoff === undefined ? this.#backoff.next(undefined) : ctx.backoff.next(undefined);
    // Retry-After belongs to the endpoint that sent it: health keeps the call away from that one,
    // so the retry waits only until another endpoint can take the call (at once when one can now).
    // Never longer than that endpoint's own pause (at most maxPause): by then it takes calls again.
    let pushback = Math.min(result.retryAfter ?? 0, DEFAULTS.maxPause);
    const health = ctx.host.health;
    if (pushback > 0 && result.attempt !== undefined) {
      if (health !== undefined) pushback = Math.min(pushback, Math.max(0, health.otherFreeAt(result.attempt.endpoint, ctx.now) - ctx.now));
      // Without health nothing keeps calls away from the endpoint that asked, but the retry goes
      // to one this call has not tried when there is one: it need not wait.
      else if (hasUntried(ctx, result.attempt.endpoint)) pushback = 0;
    }
    const delay = Math.max(ctx.backoff.duration, pushback);
    // A retry that cannot start before the deadline only burns budget.
    if (!startsInTime(ctx, delay)) return -1;
    // Nor can one that no endpoint would take (every endpoint ejected, `panicThreshold: 0`): the
    // call ends with its last outcome, no retry announced or paid for.
    if (health !== undefined && health.noCandidates) return -1;
    // A retry of an attempt that never reached a server adds no load to the service: no budget.
    if (this.#budget !== undefined && result.notSent !== true && !this.#budget.tryRetry(ctx.now)) {
      ctx.host.observers.budgetExhausted(ctx, result);
      return -1;
    }
    return delay;
  }

  #retry<T>(ctx: CallContext<T>, result: AttemptResult<T>, delay: number): void {
    const outcome = result.outcome;
    if (outcome.ok) {
      const transport = ctx.transport;
      if (ctx.kept !== undefined) transport.discard?.(ctx.kept.value);
      ctx.kept = { value: transport.detach === undefined ? outcome.value : transport.detach(outcome.value) };
    }
    ctx.host.observers.retrying(ctx, result, delay);
    if (delay <= 0) {
      // Listeners of the attempt that ended may have taken long: judge the retry by the time now.
      ctx.now = ctx.host.clock.now();
      this.inner.run(ctx);
    } else {
      // This stage is the backoff's timer for every call: the wait allocates nothing.
      ctx.setTimer(this, ctx.now + delay);
    }
  }

  #finish<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    const kept = ctx.kept;
    if (kept !== undefined) {
      ctx.kept = undefined;
      // No later attempt got a value: return the one passed over, as fetch returns the last response.
      result = withKept(ctx.transport, result, kept.value);
    }
    this.outer.done(ctx, result);
  }

  /** The backoff wait is over. The clock is read again: timing out other attempts of the call on the same wake-up may have taken long. */
  fire<T>(ctx: CallContext<T>): void {
    ctx.now = ctx.host.clock.now();
    this.inner.run(ctx);
  }

  /** The call was interrupted during the backoff wait. */
  cancel<T>(ctx: CallContext<T>, error: unknown): void {
    this.#finish(ctx, noAttempt(error, 'cancelled'));
  }
}

/** Whether the picker has a candidate that `ctx` has not tried (other than `asked`, the endpoint that sent Retry-After). */
function hasUntried<T>(ctx: CallContext<T>, asked: LiveEndpoint): boolean {
  for (const e of ctx.host.registry.list) {
    if (e.offered && e !== asked && e !== ctx.lastEndpoint && !ctx.tried.includes(e)) return true;
  }
  return false;
}
