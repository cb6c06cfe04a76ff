import { describe, expect, it } from 'vitest';
import { requestTarget } from '../../src/transports/request-path.js';

describe('requestTarget', () => {
  it('keeps a path without dot segments byte for byte, query included, and drops a fragment', () => {
    expect(requestTarget('/v1/users?id=1')).toBe('/v1/users?id=1');
    expect(requestTarget('/a%20b/c.json?x=..')).toBe('/a%20b/c.json?x=..');
    expect(requestTarget('/v1/..hidden/x')).toBe('/v1/..hidden/x');
    expect(requestTarget('/x?y=1#top')).toBe('/x?y=1');
    expect(requestTarget('//double/slash')).toBe('//double/slash');
  });

  it('resolves dot segments from the root, however they are written, so that none climbs above it', () => {
    expect(requestTarget('/files/../../../b/api/admin')).toBe('/b/api/admin');
    expect(requestTarget('/files/%2e%2e/%2E%2e/x?q=1')).toBe('/x?q=1');
    expect(requestTarget('/a/..\\..\\b')).toBe('/b');
    expect(requestTarget('/a/./b/.')).toBe('/a/b/');
    expect(requestTarget('/..')).toBe('/');
  });
});
