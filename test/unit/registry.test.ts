import { describe, expect, it } from 'vitest';
import { EndpointRegistry } from '../../src/endpoints/registry.js';
import type { EndpointRejectedEvent, EndpointsEvent } from '../../src/observe/events.js';

function registry(): EndpointRegistry {
  return new EndpointRegistry(10_000, () => 0, { changed() {}, rejected() {}, failed() {} });
}

describe('EndpointRegistry', () => {
  it('wakes the calls still waiting for a first set, and forgets those that stopped waiting', () => {
    const r = registry();
    const woken: string[] = [];
    r.onKnown(() => woken.push('a'));
    const stop = r.onKnown(() => woken.push('b'));
    stop();
    r.replace(['127.0.0.1:1']);
    expect(woken).toEqual(['a']);
    expect(r.known).toBe(true);
  });

  it('keeps one state per id, the first of duplicates', () => {
    const r = registry();
    r.replace(['127.0.0.1:1', 'http://127.0.0.1:1', { host: '127.0.0.1', port: 1, weight: 5 }]);
    expect(r.list).toHaveLength(1);
    expect(r.list[0]!.weight).toBe(1);
  });
});

describe('EndpointRegistry updates', () => {
  function recording(): { r: EndpointRegistry; changed: EndpointsEvent[]; failed: string[]; rejected: EndpointRejectedEvent[] } {
    const changed: EndpointsEvent[] = [];
    const failed: string[] = [];
    const rejected: EndpointRejectedEvent[] = [];
    const r = new EndpointRegistry(10_000, () => 0, {
      changed: (e) => changed.push(e),
      rejected: (e) => rejected.push(e),
      failed: (e) => failed.push(e),
    });
    return { r, changed, failed, rejected };
  }

  it('follows a new order of the same endpoints, keeping their states, and says so', () => {
    const { r, changed } = recording();
    r.replace(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
    const [a, b, c] = r.list;
    expect(r.replace(['127.0.0.1:3', '127.0.0.1:1', '127.0.0.1:2'])).toBe(true);
    expect(r.list).toEqual([c, a, b]);
    expect(r.list[0]).toBe(c);
    expect(changed).toHaveLength(2);
    expect(changed[1]!.endpoints).toEqual([c, a, b]);
    expect(changed[1]!.added).toEqual([]);
    expect(changed[1]!.removed).toEqual([]);
  });

  it('stays silent when the same set comes in the same order', () => {
    const { r, changed } = recording();
    r.replace(['127.0.0.1:1', '127.0.0.1:2']);
    expect(r.replace(['http://127.0.0.1:1', '127.0.0.1:2'])).toBe(false);
    expect(changed).toHaveLength(1);
  });

  const secret = 'hunter2';
  const throwing = (): never => { throw new Error(`${secret} 127.0.0.1:9`); };
  const unreadable: [string, () => unknown][] = [
    ['an array with a throwing getter', () => {
      const list: unknown[] = ['127.0.0.1:9'];
      Object.defineProperty(list, 1, { get: throwing, enumerable: true });
      return list;
    }],
    ['an array with a throwing iterator', () => Object.assign(['127.0.0.1:9'], { [Symbol.iterator]: throwing })],
    ['an array whose iterator throws midway', () => Object.assign(['127.0.0.1:9'], {
      *[Symbol.iterator]() { yield `http://admin:${secret}@127.0.0.1:9`; throwing(); },
    })],
    ['a Proxy of an array whose traps throw', () => new Proxy(['127.0.0.1:9'], {
      get: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, getPrototypeOf: throwing,
    })],
    ['a revoked Proxy', () => {
      const { proxy, revoke } = Proxy.revocable(['127.0.0.1:9'], {});
      revoke();
      return proxy;
    }],
  ];

  it.each(unreadable)('treats %s as a failed update, keeping the last good set', (_, make) => {
    const { r, changed, failed } = recording();
    r.replace(['127.0.0.1:1']);
    const good = r.list;
    expect(() => r.replace(make() as never)).not.toThrow();
    expect(r.list).toBe(good);
    expect(changed).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('could not be read');
    expect(failed[0]).not.toContain(secret);
    expect(failed[0]).not.toContain('127.0.0.1');
  });

  it('drops entries that throw when read, without showing what they threw', () => {
    const { r, rejected, failed } = recording();
    const entries: unknown[] = [
      '127.0.0.1:1',
      { get host(): string { return throwing(); }, port: 80 },
      new Proxy({}, { get: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, getPrototypeOf: throwing }),
    ];
    expect(() => r.replace(entries as never)).not.toThrow();
    expect(r.list.map((e) => e.id)).toEqual(['http://127.0.0.1:1']);
    expect(failed).toHaveLength(0);
    expect(rejected).toHaveLength(2);
    expect(JSON.stringify(rejected)).not.toContain(secret);
  });

  it('reports a non-array update, even an unreadable object, as a failed refresh (no set to take)', () => {
    const { r, rejected, failed } = recording();
    r.replace(['127.0.0.1:1']);
    const hostile = new Proxy({}, { get: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, getPrototypeOf: throwing });
    expect(() => r.replace(hostile as never)).not.toThrow();
    expect(() => r.replace(null as never)).not.toThrow();
    expect(r.list).toHaveLength(1);
    expect(rejected).toHaveLength(0);
    expect(failed).toEqual([
      'discovery update must be an array of endpoints, got an object; keeping the last good set',
      'discovery update must be an array of endpoints, got null; keeping the last good set',
    ]);
    expect(JSON.stringify(failed)).not.toContain(secret);
  });
});
