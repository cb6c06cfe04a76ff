// What broke: valid JSON nested deeply was reported as "record is not JSON" (a reviver overflowed the stack).
// etcdConfig (docs/discovery.md): a value that is not a JSON object, over 64 KiB or holding a
// forbidden key is reported "naming the key and the problem". A valid JSON document under the
// size limit but nested deeply overflows parseRecord's reviver (recursive in V8), and the
// RangeError is reported as "record is not JSON": a wrong diagnosis that sends the operator
// hunting for a syntax error that is not there.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_DEPTH, parseRecord } from '../../src/discovery/support.js';
import { EtcdError, etcdConfig } from '../../src/etcd/index.js';
import { describeWith } from '../helpers/binaries.js';
import { etcdBinary, EtcdServer } from '../helpers/etcd.js';
import { until } from '../helpers/lifecycle.js';
import { stopFunction } from '../helpers/stop-function.js';

describeWith(etcdBinary, 'etcdConfig: a deeply nested document', () => {
  let server: EtcdServer;
  let etcd: Etcd3;
  beforeAll(async () => {
    server = await EtcdServer.start();
    etcd = new Etcd3({ hosts: server.url });
  });
  afterAll(async () => {
    etcd?.close();
    await server?.close();
  });

  it('valid JSON nested 30 000 levels (60 KB, under the 64 KiB limit) is not reported as "not JSON"', async () => {
    const key = 'config/deep';
    const text = `{"hedge":{"delay":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
    expect(() => JSON.parse(text)).not.toThrow(); // it is JSON
    expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024);
    await etcd.put(key).value(text);
    const errors: Error[] = [];
    const documents: unknown[] = [];
    const stop = stopFunction(etcdConfig({ client: etcd, key, backoff: { min: 100, max: 1_000 } }).watch((d) => documents.push(d), (e) => errors.push(e as Error)));
    try {
      await until(() => errors.length + documents.length > 0, 10_000);
      // Refused (records nest at most MAX_RECORD_DEPTH levels), for what it is.
      expect(documents).toEqual([]);
      expect(errors[0]).toBeInstanceOf(EtcdError);
      expect(errors[0]!.message).not.toMatch(/not JSON/);
      expect(errors[0]!.message).toMatch(/nested too deeply/);
    } finally {
      await stop();
    }
  });
});

describe('parseRecord: nesting', () => {
  const nested = (levels: number, inner = ''): string => `${'{"a":'.repeat(levels - 1)}{${inner}}${'}'.repeat(levels - 1)}`;

  it('reads a record nested MAX_RECORD_DEPTH levels, refuses one level more as nested too deeply', () => {
    expect(typeof parseRecord(nested(MAX_RECORD_DEPTH))).toBe('object');
    expect(parseRecord(nested(MAX_RECORD_DEPTH + 1))).toMatch(/nested too deeply/);
    expect(parseRecord(`[${nested(MAX_RECORD_DEPTH)}]`)).toMatch(/nested too deeply/);
  });

  it('valid JSON nested 30 000 levels is nested too deeply, not "not JSON"; broken JSON that deep stays "not JSON"', () => {
    expect(parseRecord(`{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`)).toMatch(/nested too deeply/);
    expect(parseRecord(`{"a":${'['.repeat(30_000)}}`)).toBe('record is not JSON');
  });

  it('still finds a forbidden key at any depth, and within the depth limit', () => {
    expect(parseRecord(nested(MAX_RECORD_DEPTH, '"__proto__":{"x":1}'))).toBe('record holds a forbidden key "__proto__"');
    expect(parseRecord(nested(5, '"constructor":1'))).toBe('record holds a forbidden key "constructor"');
    expect(parseRecord('{"a":[{"b":[{"prototype":null}]}]}')).toBe('record holds a forbidden key "prototype"');
    expect(parseRecord('{"a":[1,2,{"b":"__proto__"}]}')).toEqual({ a: [1, 2, { b: '__proto__' }] });
  });
});
