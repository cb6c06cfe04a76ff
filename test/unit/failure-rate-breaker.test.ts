// The service-level circuit's default breaker (src/pipeline/failure-rate-breaker.ts): cockatiel's
// SamplingBreaker rule (more than `threshold` of the calls over the window failing, at
// `minimumRps` calls a second or more), with every bucket older than the window forgotten as time
// passes, on the client's clock. cockatiel's own forgot one bucket per recorded call, so after a
// quiet spell one failure was judged with the calls of minutes before and opened the circuit.
import { CircuitState } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { FailureRateBreaker } from '../../src/pipeline/failure-rate-breaker.js';

const Closed = CircuitState.Closed;

function breaker(): { b: FailureRateBreaker; move: (ms: number) => void } {
  let t = 1_000_000;
  const b = new FailureRateBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 5 }, () => t);
  return { b, move: (ms) => { t += ms; } };
}

/** Records `n` calls spread over `ms`, every `failEvery`-th one failed; true when a failure said to open. */
function calls(b: FailureRateBreaker, move: (ms: number) => void, n: number, ms: number, failEvery: number): boolean {
  let opened = false;
  for (let i = 1; i <= n; i++) {
    if (i % failEvery === 0) opened = b.failure(Closed) || opened;
    else b.success(Closed);
    move(ms / n);
  }
  return opened;
}

describe('FailureRateBreaker', () => {
  it('opens on more than half failing at 5 calls a second or more, not on half', () => {
    const half = breaker();
    expect(calls(half.b, half.move, 60, 9_000, 2)).toBe(false);
    const more = breaker();
    for (let i = 0; i < 50; i++) more.b.success(Closed);
    let opened = false;
    for (let i = 0; i < 51 && !opened; i++) opened = more.b.failure(Closed);
    expect(opened).toBe(true);
  });

  it('does not open below 5 calls a second over the window, however many fail', () => {
    const { b } = breaker();
    let opened = false;
    for (let i = 0; i < 49; i++) opened = b.failure(Closed) || opened;
    expect(opened).toBe(false);
    expect(b.failure(Closed)).toBe(true); // the 50th call in 10 s
  });

  it('forgets every call older than the window after a quiet spell', () => {
    const { b, move } = breaker();
    expect(calls(b, move, 60, 10_000, 2)).toBe(false);
    move(600_000);
    expect(b.failure(Closed)).toBe(false);
    expect(b.state).toEqual({ failures: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], successes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
  });

  it('slides: calls leave the window one second-bucket at a time', () => {
    const { b, move } = breaker();
    for (let i = 0; i < 40; i++) b.failure(Closed); // 40 failures in the first second
    move(5_000);
    for (let i = 0; i < 40; i++) b.success(Closed);
    move(5_500); // the first second's bucket has left the window
    // 40 successes and 11 failures: 51 calls, not more than half failed.
    let opened = false;
    for (let i = 0; i < 11; i++) opened = b.failure(Closed) || opened;
    expect(opened).toBe(false);
  });

  it('a success while half-open starts a fresh window; any failure then opens', () => {
    const { b } = breaker();
    for (let i = 0; i < 30; i++) b.failure(Closed);
    b.success(CircuitState.HalfOpen);
    expect(b.state).toMatchObject({ failures: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    expect(b.failure(CircuitState.HalfOpen)).toBe(true);
  });

  it('gives its counts as state, oldest first, and takes them back', () => {
    const { b, move } = breaker();
    b.failure(Closed);
    move(1_000);
    b.success(Closed);
    const saved = b.state;
    expect(saved).toEqual({ failures: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0], successes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1] });
    const other = breaker();
    other.b.state = saved;
    expect(other.b.state).toEqual(saved);
    other.b.state = { failures: 'x' };
    expect(other.b.state).toEqual({ failures: Array(10).fill(0), successes: Array(10).fill(0) });
  });
});
