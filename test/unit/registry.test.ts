import { describe, expect, it } from 'vitest';
import { EndpointRegistry } from '../../src/endpoints/registry.js';

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
