// What broke: README says a custom picker's `EndpointState` offers `latency` read-only, but the
// declared `PeakEwma` extended the client's own estimate class, recording methods and all: a
// picker of the user's could call `state.latency.observe(5_000, now)` and the client's `stats()`
// then showed 5 s for that endpoint. The public type now has only what reads it, and stays
// nominal: an object of the user's that passed for one made `lowerThan` throw.
import { describe, expect, it } from 'vitest';
import { compileUser } from '../helpers/user-build.js';

describe('endpoint.latency, as pickers and stats() readers see it', () => {
  it('can be read and compared, not recorded into', () => {
    const diagnostics = compileUser({
      'main.ts': `
import type { EndpointState, PeakEwma, Picker, PickRequest } from 'bulwark';

class Slowest implements Picker {
  readonly name = 'slowest';
  #list: readonly EndpointState[] = [];
  update(list: readonly EndpointState[]): void {
    this.#list = list;
  }
  pick({ now = 0 }: PickRequest): EndpointState | undefined {
    const [a, b] = this.#list;
    if (a === undefined || b === undefined) return a;
    const ms: number = a.latency.estimate(now);
    const known: boolean = a.latency.sampled;
    console.log(ms, known);
    // @ts-expect-error: only the client records samples
    a.latency.observe(5_000, now);
    // @ts-expect-error: nor penalties
    a.latency.observePenalty(1_000, now, 30_000);
    // @ts-expect-error: nor lower bounds
    a.latency.observeAtLeast(5_000, now);
    // @ts-expect-error: nor retimes a hold
    a.latency.retimeHold(1, now);
    return a.latency.lowerThan(a.inflight + 1, b.latency, b.inflight + 1, now) ? b : a;
  }
}
const estimate: PeakEwma | undefined = undefined;
// @ts-expect-error: only the client makes estimates (lowerThan compares the insides of its own)
const forged: PeakEwma = { estimate: () => 5, lowerThan: () => false, sampled: true };
console.log(new Slowest(), estimate, forged);
// The brand is no property a user's code can test: a check for one narrows nothing away.
function stillAnEstimate(p: PeakEwma): number {
  if ('made' in p) return 0;
  return p.estimate(0);
}
console.log(stillAnEstimate);
`,
    });
    expect(diagnostics).toEqual([]);
  });
});
