// Memory stays flat while discovery churns through many endpoints: an endpoint that leaves is
// dropped with all its state (health, latency, counters). Measured in a child process with
// --expose-gc, on the built package.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('endpoint churn', () => {
  it('10 000 endpoints churned through a 100-endpoint set leave no state behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-churn-'));
    const script = join(dir, 'churn.mjs');
    const entry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    await writeFile(script, `
      import { createClient } from ${JSON.stringify(entry)};
      let push;
      const client = createClient({ name: 'svc', discovery: { watch(u) { push = u; return () => {}; } },
        health: { slowStart: { window: 1000 }, outliers: {} }, hedge: { delay: 'p95' }, retry: { backoff: { base: 0, cap: 0 } } });
      const endpoint = (i) => '10.' + ((i >> 16) & 255) + '.' + ((i >> 8) & 255) + '.' + (i & 255) + ':80';
      let next = 0;
      let set = Array.from({ length: 100 }, () => endpoint(next++));
      const churn = async (rounds) => {
        for (let r = 0; r < rounds; r++) {
          set = [...set.slice(10), ...Array.from({ length: 10 }, () => endpoint(next++))];
          push(set);
          for (let c = 0; c < 20; c++) await client.execute((e) => { if (c % 7 === 0) throw new Error('x'); return e.port; }).catch(() => {});
        }
      };
      push(set);
      await churn(100);              // warm up: 1 000 endpoints churned
      globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      await churn(1000);             // 10 000 more
      globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); globalThis.gc();
      const after = process.memoryUsage().heapUsed;
      console.log(JSON.stringify({ before, after, endpoints: client.endpoints().length, stats: client.stats().endpoints.length }));
      await client.close();
    `);
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--expose-gc', script], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    const result = JSON.parse(out) as { before: number; after: number; endpoints: number; stats: number };
    console.log(`heap before ${(result.before / 1e6).toFixed(1)} MB, after ${(result.after / 1e6).toFixed(1)} MB`);
    expect(result.endpoints).toBe(100);
    expect(result.stats).toBe(100);
    // Ten times more endpoints went through; the heap is where it was (within 2 MB of noise).
    expect(result.after - result.before).toBeLessThan(2 * 1024 * 1024);
  });
});
