// What broke (found by the review of user-supplied functions): a `health.checks.check` that
// answered anything but a boolean (an async check that forgot its `return`, `'yes'`, `1`) failed
// every check with the reason "check returned false", which named no bug. The reason now says
// what it returned.
import { expect, it } from 'vitest';
import { createClient } from '../../src/index.js';

it('a check returning undefined is not reported as "check returned false"', async () => {
  const c = createClient({
    name: 'svc', discovery: ['tcp://10.0.0.1:80', 'tcp://10.0.0.2:80'],
    health: { maxEjectionPercent: 100, checks: { interval: 20, timeout: 100, unhealthyThreshold: 1, check: (async () => {}) as never } },
  });
  const reasons: string[] = [];
  c.on('health', (e) => reasons.push(e.reason));
  for (let i = 0; i < 50 && reasons.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await c.close();
  expect(reasons.length).toBeGreaterThan(0);
  expect(reasons[0]).toBe('health check failed (check returned undefined, not a boolean (a forgotten return?))');
});
