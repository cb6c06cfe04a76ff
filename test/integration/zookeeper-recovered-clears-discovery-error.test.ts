// What broke: after the connection to ZooKeeper dropped for a moment and came back (same session, same children), calls to a service with no instance up still failed with a NoEndpointsError blaming the long-over CONNECTION_LOSS.
// The first set read after any reported error is now pushed even when unchanged, which clears the client's last discovery error (as Eureka's adapter does).
import { expect, it } from 'vitest';
import { createClient, NoEndpointsError } from '../../src/index.js';
import { zookeeperDiscovery, ZookeeperError } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { events, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { TcpProxy, zookeeperBinary } from '../helpers/zookeeper-server.js';

describeWith(zookeeperBinary, 'zookeeperDiscovery: recovery after a lost connection', () => {
  const { track, defer } = closeAfterEach();
  const fx = useZookeeper();

  it('a NoEndpointsError made after ZooKeeper answered again does not blame the old connection loss', async () => {
    const path = fx.fresh();
    await fx.mkdirp(path); // the service exists, with no instance: a real, empty set
    const proxy = await TcpProxy.start(fx.server.port);
    defer(() => proxy.close());
    const f = fx.factory(proxy.connectionString);
    const client = track(createClient({ name: 'users', discovery: zookeeperDiscovery({ client: f.make, path, backoff: { min: 50, max: 100 } }) }));
    const errors = events(client, 'discoveryError');
    await until(() => f.made.length > 0 && f.made[0]!.getState().name === 'SYNC_CONNECTED', 5_000);
    await sleep(200);

    const before = await client.fetch('/').catch((err: unknown) => err);
    expect(before).toBeInstanceOf(NoEndpointsError);
    expect((before as NoEndpointsError).cause).toBeUndefined();

    // A short cut (well under the 2 s session): the same session reconnects.
    proxy.cut();
    await until(() => errors.length >= 1, 5_000);
    expect(errors[0]!.error).toBeInstanceOf(ZookeeperError);
    proxy.heal();
    await until(() => f.made.at(-1)!.getState().name === 'SYNC_CONNECTED', 5_000);
    await sleep(500); // the children are read again on the reconnected session
    const errorsNow = errors.length;
    await sleep(300);
    expect(errors.length).toBe(errorsNow);

    const after = await client.fetch('/').catch((err: unknown) => err);
    expect(after).toBeInstanceOf(NoEndpointsError);
    expect((after as Error).message).not.toMatch(/discovery failed/);
    expect((after as NoEndpointsError).cause).toBeUndefined();
  });

  it('the first good set after children that all held unusable records is pushed even when it is the same as before', async () => {
    const path = fx.fresh();
    await fx.mkdirp(path);
    const f = fx.factory();
    const client = track(createClient({ name: 'users', discovery: zookeeperDiscovery({ client: f.make, path, backoff: { min: 50, max: 100 } }) }));
    const errors = events(client, 'discoveryError');
    await until(() => f.made.length > 0 && f.made[0]!.getState().name === 'SYNC_CONNECTED', 5_000);
    await sleep(200);

    // The only child holds no usable record: an error, the last (empty) set stays.
    await fx.put(`${path}/broken`, 'not a record');
    await until(() => errors.length >= 1, 5_000);
    expect((errors[0]!.error as ZookeeperError).code).toBe('NO_VALID_RECORD');
    // It goes away: the service is as it was before, with no instance, and that is no failure.
    await fx.del(`${path}/broken`);
    await sleep(300);

    const after = await client.fetch('/').catch((err: unknown) => err);
    expect(after).toBeInstanceOf(NoEndpointsError);
    expect((after as NoEndpointsError).cause).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
