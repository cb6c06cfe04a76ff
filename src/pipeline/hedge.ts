import type { AttemptResult, CallContext, CallTimer } from '../call/context.js';
import type { ResolvedHedge } from '../config/resolved.js';
import { mayStartAttempt } from '../call/deadline.js';
import type { LatencyWindow } from '../observe/latency-window.js';
import { BEATEN_BY_HEDGE, HEDGE_LOST, HEDGE_LOST_REASON } from '../call/attempt.js';
import { RetryBudget } from './budget.js';
import { pluginFailed, withKeptResult } from './kept-response.js';
import { Stage } from './stage.js';

/** The window over which hedges are counted against calls ("extra load ≤ maxExtraLoad of calls"). */
const HEDGE_WINDOW_MS = 10_000;

/**
 * The client's hedge budget, made when hedging is first configured (by `createClient`,
 * `reconfigure` or a call's own `hedge`): from then on the engine counts every call of the
 * client in it, hedged or not, since `maxExtraLoad` is a share of the client's calls.
 *
 * @example
 * hedgeBudget(shared, resolved.hedge.maxExtraLoad, now);
 */
export function hedgeBudget(shared: { budget: RetryBudget | undefined }, maxExtraLoad: number, now: number): RetryBudget {
  return (shared.budget ??= new RetryBudget(maxExtraLoad, 0, HEDGE_WINDOW_MS, now));
}


/** Whether `ctx` is hedged: it has a hedge policy and its transport is idempotent (a POST never is). */
export function isHedged<T>(ctx: CallContext<T>): boolean {
  return ctx.hedge !== undefined && ctx.transport.idempotent;
}

/**
 * Hedging ("The Tail at Scale"; Finagle backup requests): when an idempotent call's attempt has
 * not answered after the hedge delay, one more attempt goes to an untried endpoint; the first
 * final answer (a success, or a failure that is not retried) wins and the others are aborted
 * through their signals, so servers see them go away. Hedges draw on their own budget
 * (≤ `maxExtraLoad` of calls over 10 s) and share the call's deadline and attempt limit with
 * retries. A failure worth retrying while another attempt still runs sends the next hedge at
 * once (gRPC A6) if everything allows it, and otherwise waits for the attempts running; when
 * none is left, the failure goes up to the retry stage.
 */
export class HedgeStage extends Stage implements CallTimer {
  readonly #window: LatencyWindow;
  /** Shared with the stages that replace this one on `reconfigure`, so hedges stay within one budget. */
  readonly #shared: { budget: RetryBudget | undefined };

  constructor(window: LatencyWindow, shared: { budget: RetryBudget | undefined } = { budget: undefined }) {
    super();
    this.#window = window;
    this.#shared = shared;
  }

  run<T>(ctx: CallContext<T>): void {
    // Kept small (the usual call has no hedge policy) so V8 inlines it into the stage above.
    if (!isHedged(ctx)) this.inner.run(ctx);
    else this.#startRound(ctx, ctx.hedge!);
  }

  /**
   * Opens a round. Its state lives on the call (`round`, `roundResponse`) and this stage is the
   * timer of its hedge delay, so a hedged call allocates nothing more than a plain one.
   */
  #startRound<T>(ctx: CallContext<T>, policy: ResolvedHedge): void {
    // The first call with a hedge of its own in a client without one makes the budget: the
    // engine, which counts every later call, could not count this one.
    if (this.#shared.budget === undefined) hedgeBudget(this.#shared, policy.maxExtraLoad, ctx.now).recordCall(ctx.now);
    const delay = this.#delayOf(policy);
    ctx.round = 'open';
    const opened = ctx.now;
    if (delay === undefined || delay === Infinity) return this.inner.run(ctx);
    // Armed before the attempt starts: the call then enters the deadline wheel once, at the
    // hedge time, instead of at the attempt's deadline and again, earlier, for the hedge.
    ctx.setTimer(this, opened + delay);
    this.inner.run(ctx);
    // The user's code (a picker, a health listener) held the first attempt up, and it was sent
    // later (the clock was read again): the hedge delay counts from then, as its timeout does.
    if (ctx.now !== opened && isOpen(ctx) && ctx.timer === this) ctx.setTimer(this, ctx.now + delay);
  }

  override done<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    if (ctx.round === 'none') this.outer.done(ctx, result);
    else this.#roundDone(ctx, result);
  }

  #roundDone<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    if (ctx.round === 'settled') return; // a loser, cancelled below
    const transport = ctx.transport;
    // Only an outcome worth retrying lets the round wait for its other attempts; a success and a
    // failure that is not retried (a 500) end it, as they end the call without hedging (gRPC's
    // hedging policy does the same: a fatal status commits). A hedge the deadline overtook
    // before it was sent says nothing: the attempts that were sent give the round its answer.
    // (An attempt that was sent but reached no server, which a classify calls a failure, is a
    // final answer like any other failure.)
    const unsentHedge = result.notSent === true && (result.attempt === undefined || result.verdict === 'cancelled');
    // A hedge that reached no server (its connection refused) added no load: its token goes back.
    // (It comes off the bucket that counted it, when the hedge was granted: its failure may come
    // seconds later, and a listener that held it up may have moved its start into the next bucket.)
    if (result.notSent === true && result.attempt?.hedge === true) this.#shared.budget?.giveBack(ctx.now, result.attempt.grantedAt);
    // A server that asked for no more tries (gRPC A6's negative pushback) stops further hedges, not
    // the ones already sent: the round waits for them, and the call is not retried after it.
    if (result.noRetry === true) ctx.noRetry = true;
    if ((result.verdict === 'retry' || unsentHedge || result.noRetry === true) && ctx.liveCount > 0 && !pluginFailed(result)) {
      // It may have reached a server (not known not to): however the round ends, a retry after it pays the budget.
      if (result.notSent !== true) ctx.round = 'reached';
      // Another attempt may still succeed: wait for it. A failure that brought a response (a
      // 503) is kept in case none does better, its body released now (as the retry stage does:
      // its connection is not held while the other attempt runs); one without a response says
      // nothing more.
      if (result.outcome.ok) {
        if (ctx.roundResponse?.outcome.ok === true) transport.discard?.(ctx.roundResponse.outcome.value);
        ctx.roundResponse = transport.detach === undefined ? result : { ...result, outcome: { ok: true, value: transport.detach(result.outcome.value) } };
      }
      // The failed attempt's place goes to the next hedge at once, without its delay (gRPC A6:
      // a non-fatal status sends the next hedged request immediately): one endpoint refusing
      // connections does not leave the call waiting on a slow one.
      if (result.verdict === 'retry' && result.noRetry !== true && !ctx.noRetry) this.#send(ctx);
      return;
    }
    const reached = ctx.round === 'reached';
    ctx.round = 'settled';
    if (ctx.timer === this) ctx.timer = undefined;
    const response = ctx.roundResponse;
    ctx.roundResponse = undefined;
    // As without hedging, a later failure without a response does not lose an earlier one: its
    // verdict goes up with that response as its value (the retry stage keeps it for a retry, or
    // returns it). A success has its own answer.
    if (response !== undefined) result = withKeptResult(transport, result, response);
    // The retry stage lets a result that was not sent retry without the budget: the round's is
    // not sent only if none of its attempts reached a server (its hedge token went back above).
    if (reached && result.notSent === true) result = { ...result, notSent: false };
    // The losers end synchronously here and meet the settled round above; only then does the round go.
    if (ctx.liveCount > 0) this.#cancelOthers(ctx, result);
    ctx.round = 'none';
    this.outer.done(ctx, result);
  }

  /** Ends the attempts still running: losers of a round an answer ended, or all of them when the call fails or was interrupted. */
  #cancelOthers<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    const interruption = ctx.interruption;
    // Another attempt answered first (a value, or an error that is not retried): the others lost.
    if (interruption === undefined && !pluginFailed(result)) {
      // The round's opener had the hedge delay as a head start when a hedge's success beat it
      // (a delay of 0 gave it none; a failure that ends the round is no answer that beat it).
      const beaten = result.verdict === 'success' && result.attempt?.hedge === true && (this.#delayOf(ctx.hedge!) ?? 0) > 0;
      for (const a of ctx.live()) a.cancel(beaten && !a.hedge ? BEATEN_BY_HEDGE : HEDGE_LOST, HEDGE_LOST_REASON);
    } else {
      const reason = interruption === undefined ? (result.outcome as { readonly error: unknown }).error : interruption.error;
      for (const a of ctx.live()) a.cancel(reason, 'cancelled');
    }
  }

  /** The hedge delay passed with the round still open: send one more attempt if everything allows it. */
  fire<T>(ctx: CallContext<T>): void {
    if (!isOpen(ctx) || ctx.ended || ctx.noRetry) return;
    this.#send(ctx);
  }

  /** Sends one more attempt of the open round if the attempt limit, the deadline, the endpoints and the hedge budget allow it. */
  #send<T>(ctx: CallContext<T>): void {
    // Read again: timing out other attempts on the same wake-up may have taken long.
    const now = ctx.host.clock.now();
    ctx.now = now;
    if (ctx.attempts >= ctx.maxAttempts || !mayStartAttempt(ctx)) return;
    // Every endpoint already has an attempt of this call: a hedge would only double up on one
    // (a cheap early check; the attempt stage also drops a hedge picked onto a tried endpoint).
    if (ctx.host.registry.list.length <= triedInSet(ctx)) return;
    // Nor when no endpoint takes calls (every one ejected, `panicThreshold: 0`), as a retry is not made then.
    if (ctx.host.health?.noCandidates === true) return;
    const budget = this.#shared.budget!;
    if (!budget.tryRetry(now, ctx.hedge!.maxExtraLoad)) return;
    const before = ctx.attempts;
    ctx.hedging = true;
    ctx.hedgeGrantedAt = now;
    this.inner.run(ctx);
    // Not sent after all (no untried endpoint takes calls, or the call ended): the extra load it was allowed was not added.
    if (ctx.attempts === before) budget.giveBack(now);
  }

  /** The hedge delay of a round opened now: the policy's, or the percentile of recent latency (undefined: too few samples, no hedge). */
  #delayOf(policy: ResolvedHedge): number | undefined {
    return policy.percentile ? this.#window.percentile(policy.delay) : policy.delay;
  }

  /** Interrupted while waiting for the hedge delay: the running attempts are cancelled too, and their results end the round. */
  cancel(): void {}
}

/** Whether `ctx`'s round is open: its attempts run, whether or not one that ended reached a server. */
function isOpen<T>(ctx: CallContext<T>): boolean {
  return ctx.round === 'open' || ctx.round === 'reached';
}

/** How many endpoints of the current set `ctx` has tried (one discovery removed since is not in it). */
function triedInSet<T>(ctx: CallContext<T>): number {
  let n = ctx.lastEndpoint !== undefined && !ctx.lastEndpoint.retired ? 1 : 0;
  for (const e of ctx.tried) if (!e.retired) n++;
  return n;
}
