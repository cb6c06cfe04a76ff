import { describe, it, expect } from 'vitest';
import { Observers, type AnyAttempt, type AnyCall, type AnyResult, type CallObserver } from '../../src/observe/observer.js';

const call = {} as AnyCall;
const attempt = {} as AnyAttempt;
const result = { verdict: 'success' } as AnyResult;

/** An observer that records every hook it implements. */
function recorder(name: string, seen: string[], hooks: readonly (keyof CallObserver)[]): CallObserver {
  const o: CallObserver = {};
  for (const hook of hooks) (o as Record<string, unknown>)[hook] = (...args: unknown[]) => seen.push(`${name}.${hook}(${args.length})`);
  return o;
}

describe('Observers', () => {
  it('calls each hook on every observer that implements it, in the order they were added, with every argument', () => {
    const seen: string[] = [];
    const observers = new Observers();
    observers.add(recorder('a', seen, ['callStarted', 'callEnded', 'attemptStarted', 'attemptEnded', 'retrying', 'budgetExhausted']));
    observers.add(recorder('b', seen, ['attemptEnded', 'retrying']));
    observers.callStarted(call);
    observers.attemptStarted(attempt);
    observers.attemptEnded(attempt, result);
    observers.retrying(call, result, 10);
    observers.budgetExhausted(call, result);
    observers.callEnded(call, result);
    expect(seen).toEqual([
      'a.callStarted(1)', 'a.attemptStarted(1)', 'a.attemptEnded(2)', 'b.attemptEnded(2)',
      'a.retrying(3)', 'b.retrying(3)', 'a.budgetExhausted(2)', 'a.callEnded(2)',
    ]);
  });

  it('stops calling an observer once it is removed', () => {
    const seen: string[] = [];
    const observers = new Observers();
    const remove = observers.add(recorder('a', seen, ['callStarted']));
    observers.add(recorder('b', seen, ['callStarted']));
    remove();
    observers.callStarted(call);
    expect(seen).toEqual(['b.callStarted(1)']);
  });

  it('finishes a hook over the observers it started with when one is added or removed meanwhile', () => {
    const seen: string[] = [];
    const observers = new Observers();
    let removeB: () => void = () => {};
    observers.add({ callStarted: () => { seen.push('a'); removeB(); observers.add(recorder('c', seen, ['callStarted'])); } });
    removeB = observers.add(recorder('b', seen, ['callStarted']));
    observers.callStarted(call);
    observers.callStarted(call);
    expect(seen).toEqual(['a', 'b.callStarted(1)', 'a', 'c.callStarted(1)']);
  });

  it('dispatches through the same functions in every client', () => {
    // Methods, not closures built per client: V8 optimizes one dispatch for all clients.
    const [x, y] = [new Observers(), new Observers()];
    x.add(recorder('a', [], ['attemptEnded']));
    expect(x.attemptEnded).toBe(y.attemptEnded);
    expect(x.callStarted).toBe(y.callStarted);
  });
});
