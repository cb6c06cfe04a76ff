// What broke (found by the review of user-supplied functions): a discovery's error(x) with an x
// whose prototype cannot be read (a revoked Proxy) threw back into the adapter, from the client's
// `x instanceof DnsError`: no discoveryError, the failure not recorded, and a call waiting for a
// first set waited out its whole deadline instead of failing at once with NoEndpointsError.
import { expect, it } from 'vitest';
import { createClient, NoEndpointsError, type Discovery } from '../../src/index.js';

it('error(revoked proxy) does not throw into the adapter, and is a failed refresh', async () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  let report!: (err: unknown) => void;
  const discovery: Discovery = { watch(_update, error) { report = error; return () => {}; } };
  const c = createClient({ name: 'svc', discovery, timeout: { total: 2_000 } });
  const seen: unknown[] = [];
  c.on('discoveryError', (e) => seen.push(e.error));
  const call = c.execute(() => 'x').then(() => 'resolved', (e: unknown) => e);
  let threw: unknown;
  try { report(proxy); } catch (err) { threw = err; }
  const t0 = performance.now();
  const result = await call;
  const took = performance.now() - t0;
  await c.close();
  expect(threw).toBeUndefined();
  expect(result).toBeInstanceOf(NoEndpointsError);
  expect(took).toBeLessThan(500);
  expect(seen.length).toBe(1);
});
