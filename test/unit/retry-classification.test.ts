import { describe, expect, it } from 'vitest';
import { failureReason, isIdempotentMethod, isRetryableStatus, networkFailure, retryAfterMs } from '../../src/transports/classify.js';

const err = (fields: Record<string, unknown>): Error => Object.assign(new Error('x'), fields);

describe('what a failure means for a retry', () => {
  it('finds the socket code anywhere in the cause chain', () => {
    const fetchError = new TypeError('fetch failed', { cause: err({ code: 'ECONNREFUSED' }) });
    expect(networkFailure(fetchError)).toBe('not-sent');
    expect(failureReason(fetchError)).toBe('connection refused');
    expect(networkFailure(new TypeError('fetch failed', { cause: err({ code: 'UND_ERR_SOCKET' }) }))).toBe('connection-lost');
    expect(networkFailure(new Error('plain'))).toBeUndefined();
  });

  it('counts a reset during connect() as nothing sent, and after it as maybe sent', () => {
    expect(networkFailure(err({ code: 'ECONNRESET', syscall: 'connect' }))).toBe('not-sent');
    expect(networkFailure(err({ code: 'ECONNRESET', syscall: 'read' }))).toBe('connection-lost');
  });

  it('retries gateway errors and 429 only', () => {
    expect([429, 500, 501, 502, 503, 504, 404].filter(isRetryableStatus)).toEqual([429, 502, 503, 504]);
  });

  it('treats GET, HEAD, OPTIONS, PUT and DELETE as idempotent, and no method as GET', () => {
    expect(['GET', 'head', 'OPTIONS', 'PUT', 'DELETE', undefined].every(isIdempotentMethod)).toBe(true);
    expect(['POST', 'PATCH', 'CONNECT'].some(isIdempotentMethod)).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});
