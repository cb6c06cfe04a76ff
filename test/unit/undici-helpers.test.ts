// The small pieces of bulwark/undici: the per-attempt abort handle given to undici, the
// authorization header of endpoints with userinfo, which request bodies can be sent again.
import { Readable } from 'node:stream';
import { FormData as UndiciFormData } from 'undici';
import { describe, expect, it } from 'vitest';
import { AttemptSignal } from '../../src/undici/attempt-signal.js';
import { isReplayable, withAuthorization } from '../../src/undici/headers.js';

describe('AttemptSignal', () => {
  it('fires its listener once with the reason, and undici can remove it', () => {
    const s = new AttemptSignal(undefined);
    const heard: unknown[] = [];
    s.once('abort', () => heard.push(s.reason));
    s.fire('timeout');
    s.fire('again');
    expect(heard).toEqual(['timeout']);
    const quiet = new AttemptSignal(undefined);
    quiet.once('abort', () => heard.push('never'));
    quiet.removeListener();
    quiet.fire('x');
    expect(heard).toEqual(['timeout']);
  });

  it("follows the caller's signal while undici listens, and lets go of it after", () => {
    const caller = new AbortController();
    const s = new AttemptSignal(caller.signal);
    let fired = 0;
    s.once('abort', () => fired++);
    caller.abort('user');
    expect(fired).toBe(1);
    expect(s.reason).toBe('user');
    const other = new AbortController();
    const t = new AttemptSignal(other.signal);
    t.once('abort', () => fired++);
    t.removeListener();
    other.abort('late');
    expect(fired).toBe(1);
  });

  it('has no `aborted` property (undici would take it for an AbortSignal)', () => {
    expect('aborted' in new AttemptSignal(undefined)).toBe(false);
  });
});

describe('withAuthorization', () => {
  it('adds the header to every shape undici takes, unless the caller set one', () => {
    expect(withAuthorization(undefined, 'Basic x')).toEqual({ authorization: 'Basic x' });
    expect(withAuthorization({ a: '1' }, 'Basic x')).toEqual({ a: '1', authorization: 'Basic x' });
    expect(withAuthorization({ Authorization: 'Bearer t' }, 'Basic x')).toEqual({ Authorization: 'Bearer t' });
    expect(withAuthorization(['a', '1'], 'Basic x')).toEqual(['a', '1', 'authorization', 'Basic x']);
    expect(withAuthorization(['AUTHORIZATION', 'Bearer t'], 'Basic x')).toEqual(['AUTHORIZATION', 'Bearer t']);
  });

  it('turns headers given as an iterable (Headers, Map) into the flat [name, value, …] array undici reads', () => {
    expect(withAuthorization(new Map([['a', '1']]) as never, 'Basic x')).toEqual(['a', '1', 'authorization', 'Basic x']);
    expect(withAuthorization(new Headers({ a: '1', 'x-b': '2' }) as never, 'Basic x')).toEqual(['a', '1', 'x-b', '2', 'authorization', 'Basic x']);
    const own = new Headers({ Authorization: 'Bearer t' });
    expect(withAuthorization(own as never, 'Basic x')).toBe(own);
  });
});

describe('isReplayable', () => {
  it("strings, buffers and undici's FormData (the one undici 8 sends) can be sent again; streams and iterables cannot", () => {
    expect([undefined, null, 'x', Buffer.from('x'), new Uint8Array(2), new UndiciFormData()].map(isReplayable)).toEqual([true, true, true, true, true, true]);
    expect([Readable.from(['x']), new ReadableStream(), (async function* () { yield 'x'; })()].map(isReplayable)).toEqual([false, false, false]);
  });
});
