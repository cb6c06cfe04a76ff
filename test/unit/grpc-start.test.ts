// startWithoutStack: grpc-js calls start with stack capture off, and the caller's limit always comes back.
import { afterEach, describe, expect, it } from 'vitest';
import { startWithoutStack } from '../../src/grpc/call-life.js';

const original = Error.stackTraceLimit;
afterEach(() => {
  Error.stackTraceLimit = original;
});

describe('startWithoutStack', () => {
  it('runs start with no stack captured and returns what it returns', () => {
    Error.stackTraceLimit = 25;
    const result = startWithoutStack(() => ({ limit: Error.stackTraceLimit, stack: new Error('x').stack }));
    expect(result).toEqual({ limit: 0, stack: 'Error: x' });
    expect(Error.stackTraceLimit).toBe(25);
  });

  it('restores the limit when start throws', () => {
    Error.stackTraceLimit = 7;
    expect(() => startWithoutStack(() => {
      throw new TypeError('boom');
    })).toThrow('boom');
    expect(Error.stackTraceLimit).toBe(7);
  });

  it('leaves a frozen limit alone and still starts the call', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;
    Object.defineProperty(Error, 'stackTraceLimit', { ...descriptor, writable: false });
    try {
      expect(startWithoutStack(() => 'started')).toBe('started');
      expect(Error.stackTraceLimit).toBe(original);
    } finally {
      Object.defineProperty(Error, 'stackTraceLimit', descriptor);
    }
  });
});
