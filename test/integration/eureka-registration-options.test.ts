// eurekaRegistration against the local Eureka REST stand-in (test/helpers/eureka-server.ts).
// What broke: an instance id of ".." made fetch send every heartbeat and the DELETE to
// /apps/ (405), so the instance stayed registered after stop(); a heartbeatInterval longer
// than the leaseDuration was accepted, and the instance was evicted between heartbeats.
import { expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { eurekaRegistration } from '../../src/eureka/index.js';
import { closeAfterEach, sleep } from '../helpers/lifecycle.js';
import { startEurekaServer, type EurekaServer } from '../helpers/eureka-server.js';

const { defer } = closeAfterEach();

async function eureka(options: { leaseMs?: number; evictionMs?: number } = {}): Promise<EurekaServer> {
  const server = await startEurekaServer(options);
  defer(() => server.close());
  return server;
}

it('an instanceId that is a URL dot segment ("..") is refused, or at least its heartbeats and DELETE reach its own URL', async () => {
  const server = await eureka();
  const errors: unknown[] = [];
  let reg: ReturnType<typeof eurekaRegistration>;
  try {
    reg = eurekaRegistration({
      url: server.url, app: 'orders', heartbeatInterval: 50, backoff: { min: 20, max: 50 }, onError: (e) => errors.push(e),
      instance: { instanceId: '..', hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080 },
    });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return;
  }
  defer(() => reg.stop());
  await reg.registered;
  await sleep(200);
  await reg.stop();
  // encodeURIComponent('..') is '..': fetch resolves /apps/ORDERS/.. to /apps/, so every heartbeat
  // and the DELETE go to the wrong URL (405) and the instance stays registered after stop().
  expect(server.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE').map((r) => r.path.split('?')[0])).not.toContain('/eureka/apps/');
  expect(server.instances('ORDERS')).toEqual([]);
});

it('a heartbeatInterval longer than the leaseDuration is refused (ConfigError): Eureka would evict the instance between heartbeats', async () => {
  // The stand-in honours leaseInfo.durationInSecs as Eureka does, and evicts every 50 ms.
  const server = await eureka({ evictionMs: 50 });
  let reg: ReturnType<typeof eurekaRegistration>;
  try {
    reg = eurekaRegistration({
      url: server.url, app: 'orders', heartbeatInterval: 3_000, leaseDuration: 1_000, backoff: { min: 20, max: 50 },
      instance: { hostName: 'orders-1.local', ipAddr: '127.0.0.1', port: 8080 },
    });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toMatch(/heartbeatInterval|leaseDuration/);
    return;
  }
  defer(() => reg.stop());
  await reg.registered;
  // A registered, running, heartbeating instance should stay listed.
  let missing = 0;
  for (let t = 0; t < 2_500; t += 50) {
    if (server.instances('ORDERS').length === 0) missing++;
    await sleep(50);
  }
  expect(missing).toBe(0);
});

it('an app of "." or ".." is refused too (its URLs would lose the segment)', () => {
  for (const app of ['.', '..']) {
    expect(() => eurekaRegistration({ url: 'http://127.0.0.1:1/eureka', app, instance: { hostName: 'h', ipAddr: '127.0.0.1', port: 8080 } })).toThrow(ConfigError);
  }
});
