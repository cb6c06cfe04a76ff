import { describe, expect, it } from 'vitest';
import type { AttemptResult, CallContext } from '../../src/call/context.js';
import { compose, Stage } from '../../src/pipeline/stage.js';

/** A stage that only starts the next one (results pass it by). */
class Through extends Stage {
  runs = 0;
  run<T>(ctx: CallContext<T>): void {
    this.runs++;
    this.inner.run(ctx);
  }
}

/** A stage that looks at results, noting each before passing it up. */
class Looking extends Through {
  readonly seen: string[] = [];
  override done<T>(ctx: CallContext<T>, result: AttemptResult<T>): void {
    this.seen.push(result.reason);
    this.outer.done(ctx, result);
  }
}

/** The innermost stage: reports one result at once. */
class Answer extends Stage {
  run<T>(ctx: CallContext<T>): void {
    this.outer.done(ctx, { attempt: undefined, outcome: { ok: true, value: 1 as T }, verdict: 'success', reason: 'answered' });
  }
}

function fakeCall(): { ctx: CallContext<number>; finished: AttemptResult<number>[] } {
  const finished: AttemptResult<number>[] = [];
  const ctx = { finish: (result: AttemptResult<number>) => finished.push(result) } as unknown as CallContext<number>;
  return { ctx, finished };
}

describe('compose', () => {
  it('runs every stage, outermost first, and sends results up only through stages that look at them', () => {
    const a = new Through();
    const b = new Looking();
    const c = new Through();
    const answer = new Answer();
    const pipeline = compose([a, b, c, answer]);
    expect(pipeline).toBe(a);
    expect([a.inner, b.inner, c.inner]).toEqual([b, c, answer]);
    // c passes results by: the answer goes straight to b, and b's straight to the call.
    expect(answer.outer).toBe(b);
    expect(c.outer).toBe(b);
    const { ctx, finished } = fakeCall();
    pipeline.run(ctx);
    expect([a.runs, b.runs, c.runs]).toEqual([1, 1, 1]);
    expect(b.seen).toEqual(['answered']);
    expect(finished.map((r) => r.reason)).toEqual(['answered']);
  });

  it("ends the call with a pass-through stage's own result", () => {
    class Refuse extends Stage {
      run<T>(ctx: CallContext<T>): void {
        this.outer.done(ctx, { attempt: undefined, outcome: { ok: false, error: new Error('no') }, verdict: 'failure', reason: 'refused' });
      }
    }
    const { ctx, finished } = fakeCall();
    compose([new Through(), new Refuse(), new Answer()]).run(ctx);
    expect(finished.map((r) => r.reason)).toEqual(['refused']);
  });
});
