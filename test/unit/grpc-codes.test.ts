// bulwark/grpc's status-code classification and pushback parsing (pure functions; the behaviour
// on real servers is in test/integration/grpc*.test.ts).
import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ConfigError, TimeoutError } from '../../src/index.js';
import { healthFailure, judgeError, pushbackMs, resolveCodes } from '../../src/grpc/codes.js';

function statusError(code: status, details = 'x', trailers: Record<string, string> = {}): Error {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(trailers)) metadata.set(k, v);
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

describe('gRPC status classification', () => {
  const codes = resolveCodes('svc', undefined);

  it('retries UNAVAILABLE for every call, the idempotent codes only for idempotent calls', () => {
    expect(judgeError(codes, false, statusError(status.UNAVAILABLE))).toMatchObject({ verdict: 'retry', reason: 'UNAVAILABLE' });
    expect(judgeError(codes, false, statusError(status.RESOURCE_EXHAUSTED))).toMatchObject({ verdict: 'failure' });
    expect(judgeError(codes, true, statusError(status.RESOURCE_EXHAUSTED))).toMatchObject({ verdict: 'retry' });
    expect(judgeError(codes, true, statusError(status.DEADLINE_EXCEEDED))).toMatchObject({ verdict: 'retry' });
    expect(judgeError(codes, true, statusError(status.INTERNAL))).toMatchObject({ verdict: 'failure' });
    expect(judgeError(codes, true, statusError(status.INVALID_ARGUMENT))).toMatchObject({ verdict: 'success', reason: 'INVALID_ARGUMENT' });
    expect(judgeError(codes, true, statusError(status.NOT_FOUND))).toMatchObject({ verdict: 'success' });
  });

  it('marks what provably reached no server as not sent', () => {
    expect(judgeError(codes, false, statusError(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED'))).toMatchObject({ verdict: 'retry', notSent: true });
    expect(judgeError(codes, false, statusError(status.UNAVAILABLE, 'round_robin: No connection established. Last error: x'))).toMatchObject({ notSent: true });
    expect(judgeError(codes, false, statusError(status.UNAVAILABLE, 'Stream refused by server'))).toMatchObject({ notSent: true });
    expect(judgeError(codes, false, statusError(status.UNAVAILABLE, 'Connection dropped'))).toMatchObject({ verdict: 'retry', notSent: false });
  });

  it('honours pushback: a delay to wait, a negative value stops retries', () => {
    expect(judgeError(codes, false, statusError(status.UNAVAILABLE, 'x', { 'grpc-retry-pushback-ms': '250' }))).toMatchObject({ verdict: 'retry', retryAfter: 250 });
    expect(judgeError(codes, false, statusError(status.UNAVAILABLE, 'x', { 'grpc-retry-pushback-ms': '-1' }))).toMatchObject({ verdict: 'failure' });
    const md = (v: string): Metadata => { const m = new Metadata(); m.set('grpc-retry-pushback-ms', v); return m; };
    expect(pushbackMs(md(' 10 '))).toBe(10);
    expect(pushbackMs(md('-20'))).toBe(-1);
    // gRFC A6: "If the value for pushback is negative or unparseble, then it will be seen as the
    // server asking the client not to retry at all" (these were read as absent: retried as usual).
    expect(pushbackMs(md('1.5'))).toBe(-1);
    expect(pushbackMs(md('soon'))).toBe(-1);
    expect(pushbackMs(md(''))).toBe(-1);
    expect(pushbackMs(md('99999999999'))).toBe(-1);
    expect(pushbackMs(md('2147483648'))).toBe(-1);
    // -0 is an integer, and not negative: retry at once.
    expect(pushbackMs(md('-0'))).toBe(0);
    expect(pushbackMs(md('+20'))).toBe(20);
    expect(pushbackMs(new Metadata())).toBeUndefined();
    const two = md('30');
    two.add('grpc-retry-pushback-ms', '-1');
    expect(pushbackMs(two)).toBe(30);
    // A trailer sent twice arrives joined by Node's HTTP/2 (a diff review: '1, 1' stopped retries).
    expect(pushbackMs(md('1, 1'))).toBe(1);
    expect(pushbackMs(md('30, -1'))).toBe(30);
  });

  it('errors without a status: timeouts retried only when idempotent; refused connections always', () => {
    const timeout = new TimeoutError('svc', 'attempt', 100);
    expect(judgeError(codes, false, timeout)).toMatchObject({ verdict: 'failure', reason: 'attempt timeout' });
    expect(judgeError(codes, true, timeout)).toMatchObject({ verdict: 'retry' });
    expect(judgeError(codes, false, Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toMatchObject({ verdict: 'retry', notSent: true });
  });

  it('health counts the unhealthy codes and status-less failures, never a status the server chose', () => {
    const isFailure = healthFailure(codes);
    expect(isFailure({ verdict: 'retry', error: statusError(status.UNAVAILABLE) })).toBe(true);
    expect(isFailure({ verdict: 'failure', error: statusError(status.INTERNAL) })).toBe(true);
    expect(isFailure({ verdict: 'success', error: statusError(status.INVALID_ARGUMENT) })).toBe(false);
    expect(isFailure({ verdict: 'retry', error: statusError(status.ABORTED) })).toBe(false); // retried by choice, not a sick server
    expect(isFailure({ verdict: 'failure', error: new TimeoutError('svc', 'attempt', 1) })).toBe(true);
  });

  it('validates code lists, naming the bad one', () => {
    expect(() => resolveCodes('svc', { retry: [0] })).toThrow(ConfigError);
    expect(() => resolveCodes('svc', { unhealthy: ['UNAVAILABLE' as never] })).toThrow(/codes\.unhealthy/);
    expect(resolveCodes('svc', { retry: [status.ABORTED], retryIdempotent: [] }).retryIdempotent.has(status.ABORTED)).toBe(true);
  });
});
