// What broke: one call following a caller's signal whose interrupt threw (a gRPC stream's cancel running a throwing client interceptor) stopped the signal's one abort listener: the calls after it on that signal were never interrupted, and the error escaped as an uncaught exception.
//
// src/call/caller-signal.ts keeps one 'abort' listener per signal for every call following it
// (docs/architecture.md, "Performance"); it now guards each follower's interrupt.
import { describe, expect, it } from 'vitest';
import { unwatchSignal, watchSignal, type Interruptible } from '../../src/call/caller-signal.js';

describe('the abort listener shared by a signal’s calls', () => {
  it('interrupts every follower though one throws, and throws nothing itself', async () => {
    const controller = new AbortController();
    const heard: unknown[] = [];
    const follower = (name: string, fails = false): Interruptible => ({
      interrupt: (reason) => {
        heard.push([name, reason]);
        if (fails) throw new Error(`${name} failed`);
      },
    });
    const first = follower('first');
    const failing = follower('failing', true);
    const last = follower('last');
    const gone = follower('gone');
    for (const f of [first, failing, last, gone]) watchSignal(controller.signal, f);
    unwatchSignal(controller.signal, gone);

    const reason = new Error('shutting down');
    // A listener's throw is reported later as an uncaught exception, not thrown here.
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => { uncaught.push(err); };
    process.prependListener('uncaughtException', onUncaught);
    try {
      controller.abort(reason);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(heard).toEqual([['first', reason], ['failing', reason], ['last', reason]]);
    expect(uncaught).toEqual([]);
  });
});
