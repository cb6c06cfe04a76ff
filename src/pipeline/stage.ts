import type { AttemptResult, CallContext } from '../call/context.js';

/** Receives the results of the layer beneath it. */
export interface Outer {
  done<T>(ctx: CallContext<T>, result: AttemptResult<T>): void;
}

/**
 * One layer of the call pipeline (docs/architecture.md, "Stages"). `run` starts the layer's
 * work for a call, which sooner or later calls `inner.run` (maybe several times: retries,
 * hedges); each result of the layer beneath arrives in `done`, which decides whether to run
 * `inner` again or pass a result to `outer`. A stage that keeps this default `done` is skipped
 * on the way up (see {@link compose}). Stages are built once per client and hold no
 * per-call state (that lives on the call context), so a call allocates no closure per stage
 * and awaits no promise per stage: results travel as plain calls, as in undici's dispatch
 * handlers.
 */
export abstract class Stage implements Outer {
  /** The layer beneath; set by {@link compose}. */
  inner!: Stage;
  /** The nearest layer above that looks at results; set by {@link compose}. */
  outer!: Outer;

  abstract run<T>(ctx: CallContext<T>): void;

  /** By default a result passes straight up. */
  done<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    this.outer.done(ctx, result);
  }
}

/** The end of the line: hands the final result to the call, which settles the caller's promise. */
const finisher: Outer = {
  done<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    ctx.finish(result);
  },
};

/**
 * Links stages, outermost first, into one pipeline whose last stage runs the attempts.
 *
 * @example
 * const pipeline = compose([new WaitForEndpoints(host), new RetryStage(budget, backoff), new AttemptStage()]);
 * pipeline.run(ctx);
 */
export function compose(stages: readonly Stage[]): Stage {
  // A result goes up only through stages that look at results: one that keeps the default
  // pass-through `done` is skipped, so a call does not pay a call level for it on the way up.
  let above: Outer = finisher;
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i]!;
    stage.outer = above;
    if (stage.done !== Stage.prototype.done) above = stage;
    if (i + 1 < stages.length) stage.inner = stages[i + 1]!;
  }
  return stages[0]!;
}
