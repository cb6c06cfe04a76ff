import { describe, expect, it } from 'vitest';
import { authorizationOf, type EndpointInit, type LiveEndpoint } from '../../src/endpoints/endpoint.js';
import { parseEndpoint, type ParsedEndpoint } from '../../src/endpoints/parse.js';
import { EndpointRegistry } from '../../src/endpoints/registry.js';
import type { EndpointRejectedEvent, EndpointsEvent } from '../../src/observe/events.js';
import { mulberry32 } from '../helpers/prng.js';

function recording(): { r: EndpointRegistry; changed: EndpointsEvent[]; rejected: EndpointRejectedEvent[]; failed: string[] } {
  const changed: EndpointsEvent[] = [];
  const rejected: EndpointRejectedEvent[] = [];
  const failed: string[] = [];
  const r = new EndpointRegistry(10_000, () => 0, {
    changed: (e) => changed.push(e),
    rejected: (e) => rejected.push(e),
    failed: (e) => failed.push(e),
  });
  return { r, changed, rejected, failed };
}

/** Fresh copies of strings, as an adapter builds them anew from every response. */
const fresh = (entries: readonly EndpointInit[]): EndpointInit[] =>
  entries.map((e) => (typeof e === 'string' ? JSON.parse(JSON.stringify(e)) as string : e));

/**
 * What an update must leave, worked out the plain way: every entry parsed, invalid ones
 * dropped, the first of each id kept, in order (each later one dropped and reported).
 */
function expected(entries: readonly EndpointInit[]): { kept: ParsedEndpoint[]; invalid: number; duplicates: number } {
  const kept: ParsedEndpoint[] = [];
  const ids = new Set<string>();
  let invalid = 0;
  let duplicates = 0;
  for (const entry of entries) {
    let p: ParsedEndpoint;
    try {
      p = parseEndpoint(entry);
    } catch {
      invalid++;
      continue;
    }
    if (!ids.has(p.id)) { ids.add(p.id); kept.push(p); } else duplicates++;
  }
  return { kept, invalid, duplicates };
}

/** One random entry for host number `h`: one of several spellings, or an object, or garbage. */
function entry(random: () => number, h: number): EndpointInit {
  const host = `10.0.${h >> 8}.${h & 255}`;
  const r = random();
  if (r < 0.4) return `${host}:80`;
  if (r < 0.5) return `http://${host}:80/`;
  if (r < 0.55) return `http://user:pw${Math.floor(random() * 2)}@${host}:80`;
  if (r < 0.9) {
    return {
      host, port: 80, weight: 1 + Math.floor(random() * 3), priority: Math.floor(random() * 2),
      zone: random() < 0.5 ? 'a' : 'b', metadata: { v: String(Math.floor(random() * 3)) },
    };
  }
  if (r < 0.95) return `${host}:0`; // invalid
  return { host, port: 80, weight: -1 }; // invalid
}

describe('EndpointRegistry diffs', () => {
  it('agrees with parsing every entry anew, over 400 random updates', () => {
    const random = mulberry32(99);
    const { r, changed, rejected } = recording();
    let hosts = Array.from({ length: 30 }, (_, i) => i);
    let last: EndpointInit[] = hosts.map((h) => entry(random, h));
    let states = new Map<string, LiveEndpoint>();
    for (let round = 0; round < 400; round++) {
      // Mostly small edits of the last update, sometimes a reshuffle or an unchanged resend.
      const next = [...last];
      const kind = random();
      if (kind < 0.2) {
        next.splice(Math.floor(random() * (next.length + 1)), 0, entry(random, 30 + Math.floor(random() * 40)));
      } else if (kind < 0.4 && next.length > 1) {
        next.splice(Math.floor(random() * next.length), 1);
      } else if (kind < 0.55) {
        const i = Math.floor(random() * next.length);
        next[i] = entry(random, Math.floor(random() * 70));
      } else if (kind < 0.6) {
        next.sort(() => random() - 0.5);
      } else if (kind < 0.65) {
        hosts = hosts.filter(() => random() < 0.7);
        next.length = 0;
        for (const h of hosts) next.push(entry(random, h));
      } else if (kind < 0.7 && next.length > 0) {
        next.push(next[Math.floor(random() * next.length)]!); // a duplicate
      }
      const events = changed.length;
      const rejections = rejected.length;
      const before = r.list;
      const want = expected(next);
      const result = r.replace(fresh(next));
      // Invalid entries and duplicates (the first of an id wins) are both reported.
      const reported = rejected.slice(rejections).map((e) => e.reason);
      expect(reported.filter((reason) => reason !== 'duplicate of an earlier entry (same id)')).toHaveLength(want.invalid);
      expect(reported.filter((reason) => reason === 'duplicate of an earlier entry (same id)')).toHaveLength(want.duplicates);
      if (want.kept.length === 0) {
        if (next.length > 0) expect(result).toBe(false);
        continue;
      }
      expect(r.list.map((e) => e.id)).toEqual(want.kept.map((p) => p.id));
      for (const [i, p] of want.kept.entries()) {
        const e = r.list[i]!;
        expect({ weight: e.weight, priority: e.priority, zone: e.zone, metadata: e.metadata }).toEqual({
          weight: p.weight, priority: p.priority, zone: p.zone, metadata: p.metadata,
        });
        expect(authorizationOf(e)).toBe(p.authorization);
        // An endpoint that stays keeps its state (its load, latency and health).
        const old = states.get(e.id);
        if (old !== undefined) expect(e).toBe(old);
        expect(e.retired).toBe(false);
      }
      const same = before.length === r.list.length && before.every((e, i) => e === r.list[i]);
      if (result) {
        expect(changed.length).toBe(events + 1);
        const event = changed.at(-1)!;
        expect(event.endpoints).toBe(r.list);
        expect(new Set(event.added)).toEqual(new Set(r.list.filter((e) => !states.has(e.id))));
        const ids = new Set(r.list.map((e) => e.id));
        expect(new Set(event.removed.map((e) => e.id))).toEqual(new Set([...states.keys()].filter((id) => !ids.has(id))));
        for (const e of event.removed) expect((e as LiveEndpoint).retired).toBe(true);
      } else {
        expect(changed.length).toBe(events);
        expect(same).toBe(true);
        expect(r.list).toBe(before);
      }
      states = new Map(r.list.map((e) => [e.id, e]));
      last = next;
    }
    expect(changed.length).toBeGreaterThan(200);
  });

  it('stays silent for an unchanged set resent as new strings, and keeps its array', () => {
    const { r, changed } = recording();
    const set = Array.from({ length: 1_000 }, (_, i) => `10.1.${i >> 8}.${i & 255}:8080`);
    r.replace(set);
    const list = r.list;
    for (let i = 0; i < 3; i++) expect(r.replace(fresh(set))).toBe(false);
    expect(r.list).toBe(list);
    expect(changed).toHaveLength(1);
  });

  it('reports only the endpoint added or removed in the middle of a large set', () => {
    const { r, changed } = recording();
    const set = Array.from({ length: 1_000 }, (_, i) => `10.1.${i >> 8}.${i & 255}:8080`);
    r.replace(set);
    const list = r.list;
    const plus = [...set.slice(0, 500), '10.9.9.9:8080', ...set.slice(500)];
    expect(r.replace(fresh(plus))).toBe(true);
    expect(changed.at(-1)!.added.map((e) => e.id)).toEqual(['http://10.9.9.9:8080']);
    expect(changed.at(-1)!.removed).toEqual([]);
    expect(r.list.filter((e) => e.id !== 'http://10.9.9.9:8080')).toEqual(list);
    expect(r.replace(fresh(set.filter((_, i) => i !== 10)))).toBe(true);
    expect(changed.at(-1)!.added).toEqual([]);
    expect(changed.at(-1)!.removed.map((e) => e.id).sort()).toEqual(['http://10.1.0.10:8080', 'http://10.9.9.9:8080']);
    expect(r.list).toEqual(list.filter((_, i) => i !== 10));
  });

  it('changes metadata in place without a change event, and weight with one', () => {
    const { r, changed } = recording();
    r.replace([{ host: 'h', port: 1, metadata: { v: '1' } }]);
    const [e] = r.list;
    expect(r.replace([{ host: 'h', port: 1, metadata: { v: '2' } }])).toBe(false);
    expect(r.list[0]).toBe(e);
    expect(e!.metadata).toEqual({ v: '2' });
    expect(r.replace([{ host: 'h', port: 1, metadata: { v: '2' }, weight: 3 }])).toBe(true);
    expect(e!.weight).toBe(3);
    expect(changed).toHaveLength(2);
  });

  it('takes a rotated password on an endpoint that stays', () => {
    const { r } = recording();
    r.replace(['http://u:one@h:80']);
    const [e] = r.list;
    r.replace(['http://u:two@h:80']);
    expect(r.list[0]).toBe(e);
    expect(authorizationOf(e!)).toBe(`Basic ${Buffer.from('u:two').toString('base64')}`);
    r.replace(['h:80']);
    expect(authorizationOf(e!)).toBeUndefined();
  });

  it('reports an invalid string every time it comes, not only the first', () => {
    const { r, rejected } = recording();
    for (let i = 0; i < 3; i++) r.replace(['h:0', 'h:1']);
    expect(rejected).toHaveLength(3);
  });

  it('notices an object entry changed in place, field by field', () => {
    const { r, rejected } = recording();
    const entry: Record<string, unknown> = { host: 'h', port: 1, metadata: { v: '1' } };
    r.replace([entry as EndpointInit, '127.0.0.1:9']);
    const [e] = r.list;
    const changes: [string, unknown, (s: LiveEndpoint) => unknown, unknown][] = [
      ['weight', 2, (s) => s.weight, 2],
      ['priority', 1, (s) => s.priority, 1],
      ['zone', 'b', (s) => s.zone, 'b'],
      ['metadata', { v: '2' }, (s) => s.metadata, { v: '2' }],
      ['metadata', { v: '2', w: '3' }, (s) => s.metadata, { v: '2', w: '3' }],
      ['metadata', { w: '3' }, (s) => s.metadata, { w: '3' }],
      ['metadata', undefined, (s) => s.metadata, {}],
    ];
    for (const [field, value, read, want] of changes) {
      entry[field] = value;
      r.replace([entry as EndpointInit, '127.0.0.1:9']);
      expect(r.list[0]).toBe(e);
      expect(read(r.list[0]!)).toEqual(want);
    }
    entry['port'] = 2;
    r.replace([entry as EndpointInit, '127.0.0.1:9']);
    expect(r.list[0]!.id).toBe('http://h:2');
    // Metadata that is no longer an object is refused even with the same keys and values.
    entry['metadata'] = { 0: 'x' };
    r.replace([entry as EndpointInit, '127.0.0.1:9']);
    entry['metadata'] = ['x'];
    r.replace([entry as EndpointInit, '127.0.0.1:9']);
    expect(rejected).toHaveLength(1);
    expect(r.list.map((s) => s.id)).toEqual(['http://127.0.0.1:9']);
  });

  it('parses an object entry again when it cannot be read a second time', () => {
    const { r, rejected } = recording();
    let reads = 0;
    const entry = { get host(): string { if (++reads > 1) throw new Error('gone'); return 'h'; }, port: 1 };
    r.replace([entry]);
    expect(r.list.map((s) => s.id)).toEqual(['http://h:1']);
    expect(() => r.replace([entry, 'h:2'])).not.toThrow();
    expect(rejected).toHaveLength(1);
    expect(r.list.map((s) => s.id)).toEqual(['http://h:2']);
  });
});
