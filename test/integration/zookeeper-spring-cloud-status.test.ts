// What broke (zookeeperDiscovery): Spring Cloud ZooKeeper (which docs/discovery.md names among
// the layouts read) marks an instance taken out of service by writing
// `payload.metadata.instance_status: "OUT_OF_SERVICE"` into its Curator ServiceInstance, and its
// own server list drops every instance whose non-empty instance_status is not "UP". bulwark copied
// the field into metadata and still routed to the instance, so a drain or blue/green switch done
// through Spring's service-registry endpoint did nothing for bulwark callers.
import zookeeper from 'node-zookeeper-client';
import { expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { zookeeperDiscovery } from '../../src/zookeeper/index.js';
import { describeWith } from '../helpers/binaries.js';
import { closeAfterEach, sleep, until } from '../helpers/lifecycle.js';
import { urls, useZookeeper } from '../helpers/zookeeper-fixture.js';
import { zookeeperBinary } from '../helpers/zookeeper-server.js';

/** A Curator ServiceInstance as Spring Cloud ZooKeeper registers it. */
const springCloud = (id: string, port: number, status?: string): string => JSON.stringify({
  name: 'users', id, address: '127.0.0.1', port, sslPort: null,
  payload: { '@class': 'org.springframework.cloud.zookeeper.discovery.ZookeeperInstance', id: 'users', name: 'users', metadata: status === undefined ? {} : { instance_status: status } },
  registrationTimeUTC: 1, serviceType: 'DYNAMIC', uriSpec: { parts: [] },
});

describeWith(zookeeperBinary, 'zookeeperDiscovery and Spring Cloud ZooKeeper instance status', () => {
  const { track } = closeAfterEach();
  const fx = useZookeeper();

  it('leaves out a Spring Cloud ZooKeeper instance whose instance_status is OUT_OF_SERVICE, and follows it back to UP', async () => {
    const path = fx.fresh();
    await fx.mkdirp(path);
    await fx.put(`${path}/up`, springCloud('up', 8001, 'UP'), zookeeper.CreateMode.EPHEMERAL);
    await fx.put(`${path}/legacy`, springCloud('legacy', 8002), zookeeper.CreateMode.EPHEMERAL);
    await fx.put(`${path}/drained`, springCloud('drained', 8003, 'OUT_OF_SERVICE'), zookeeper.CreateMode.EPHEMERAL);
    const client = track(createClient({ name: 'users', discovery: zookeeperDiscovery({ client: fx.factory().make, path }) }));
    await until(() => urls(client).length > 0, 5_000);
    await sleep(200);
    expect(urls(client)).toEqual(['http://127.0.0.1:8001', 'http://127.0.0.1:8002']);

    await fx.set(`${path}/up`, springCloud('up', 8001, 'OUT_OF_SERVICE'));
    await until(() => !urls(client).includes('http://127.0.0.1:8001'), 5_000);
    await fx.set(`${path}/drained`, springCloud('drained', 8003, 'UP'));
    await until(() => urls(client).includes('http://127.0.0.1:8003'), 5_000);
    expect(urls(client)).toEqual(['http://127.0.0.1:8002', 'http://127.0.0.1:8003']);
  });
});
