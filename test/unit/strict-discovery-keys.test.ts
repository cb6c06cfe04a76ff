// Strict option keys in the discovery adapters, registrations and config sources (dns, Consul,
// Eureka, ZooKeeper, etcd), nested objects they read included (backoff, instance, endpoint).
// Nothing here reaches a server: options are checked when the adapter is made.
import { describe, expect, it } from 'vitest';
import { dnsDiscovery } from '../../src/index.js';
import { consulDiscovery } from '../../src/consul/index.js';
import { eurekaDiscovery, eurekaRegistration } from '../../src/eureka/index.js';
import { zookeeperDiscovery, zookeeperRegistration } from '../../src/zookeeper/index.js';
import { resolveRegistrationOptions } from '../../src/zookeeper/options.js';
import { etcdConfig, etcdDiscovery, etcdRegistration } from '../../src/etcd/index.js';
import { thrownConfigError } from '../helpers/config-client.js';
import { describeStrictKeys, type StrictCase } from '../helpers/strict-keys.js';

const backoff = { min: 100, max: 1_000 };
const noServer = (): Promise<Response> => Promise.resolve(new Response('{}', { status: 200 }));
const onError = (): void => {};
/** The nested `backoff` every adapter reads: a typo and an unrelated key in it. */
const backoffTypo = [{ backoff: { mn: 5 } }, 'backoff.mn', 'backoff.min', 'an option of `backoff`'] as const;
const backoffUnknown = { extra: { backoff: { jitter: 'hunter2' } }, path: 'backoff.jitter', known: ['min', 'max'], what: 'an option of `backoff`' };
const adapter = (name: string, row: Omit<StrictCase, 'service' | 'what' | 'name'> & { readonly service?: string }): StrictCase => ({
  name, service: row.service ?? name, what: `an option of ${row.service ?? name}`, ...row,
});

const dnsCommon = { protocol: 'https', basePath: '/api', family: 4, servers: ['127.0.0.1:5353'], timeout: 1_000, tries: 1, minInterval: 1_000, maxInterval: 2_000, backoff };
const dnsKeys = [...Object.keys(dnsCommon), 'name', 'port', 'weight', 'srv', 'interval'];

describeStrictKeys('dnsDiscovery refuses unknown option keys', [
  adapter('dnsDiscovery (name)', {
    service: 'dnsDiscovery', build: (o) => dnsDiscovery(o as never), base: { name: 'api.internal', port: 8080 }, all: { ...dnsCommon, weight: 2 },
    typos: [[{ minInteval: 5 }, 'minInteval', 'minInterval'], [{ prot: 80 }, 'prot', 'port'], [{ Family: 4 }, 'Family', 'family'], backoffTypo],
    unknown: [{ extra: { ttl: 'hunter2' }, path: 'ttl', known: dnsKeys }, backoffUnknown],
  }),
  adapter('dnsDiscovery (srv)', {
    service: 'dnsDiscovery', build: (o) => dnsDiscovery(o as never), base: { srv: '_http._tcp.api.internal' }, all: { ...dnsCommon, interval: 5_000 },
    typos: [[{ intervall: 5 }, 'intervall', 'interval'], [{ nmae: 'x' }, 'nmae', 'name']],
    unknown: [{ extra: { resolver: 'hunter2' }, path: 'resolver', known: dnsKeys }],
  }),
]);

describeStrictKeys('consulDiscovery refuses unknown option keys', [
  adapter('consulDiscovery', {
    build: (o) => consulDiscovery(o as never), base: { service: 'users' },
    all: { url: 'http://127.0.0.1:8500', token: 't', datacenter: 'dc1', tags: ['a'], passingOnly: false, wait: 1_000, timeout: 1_000, minInterval: 10, backoff, protocol: 'https', zoneMetaKey: 'az', maxResponseBytes: 1_024, fetch: noServer },
    typos: [[{ datacentre: 'dc1' }, 'datacentre', 'datacenter'], [{ passingonly: false }, 'passingonly', 'passingOnly'], [{ tokn: 'hunter2' }, 'tokn', 'token'], backoffTypo],
    unknown: [{ extra: { acl: 'hunter2' }, path: 'acl', known: ['service', 'url', 'token', 'fetch'] }, backoffUnknown],
  }),
]);

const eureka = { url: 'http://127.0.0.1:8761/eureka', app: 'ORDERS', fetch: noServer };
const connection = { headers: { authorization: 'Basic x' }, timeout: 1_000, backoff };
const instance = { hostName: 'orders-1', ipAddr: '10.0.0.5', port: 8080 };
const fullInstance = {
  ...instance, instanceId: 'orders-1:8080', securePort: 8443, vipAddress: 'orders', secureVipAddress: 'orders', metadata: { a: 'b' },
  homePageUrl: 'http://orders-1/', statusPageUrl: 'http://orders-1/info', healthCheckUrl: 'http://orders-1/health',
};

describeStrictKeys('the Eureka adapters refuse unknown option keys', [
  adapter('eurekaDiscovery', {
    build: (o) => eurekaDiscovery(o as never), base: eureka,
    all: { ...connection, interval: 1_000, delta: true, secure: 'only', useHostName: true, vipAddress: 'orders', maxResponseBytes: 1_024 },
    typos: [[{ intervall: 5 }, 'intervall', 'interval'], [{ vipAdress: 'x' }, 'vipAdress', 'vipAddress'], [{ header: {} }, 'header', 'headers'], backoffTypo],
    unknown: [{ extra: { password: 'hunter2' }, path: 'password', known: ['url', 'app', 'fetch', 'interval', 'delta'] }, backoffUnknown],
  }),
  adapter('eurekaRegistration', {
    build: (o) => eurekaRegistration(o as never), base: { ...eureka, instance }, dispose: (made) => (made as { stop(): Promise<void> }).stop(),
    all: { ...connection, instance: fullInstance, heartbeatInterval: 1_000, leaseDuration: 2_000, onError },
    typos: [
      [{ heartbeatIntervall: 5 }, 'heartbeatIntervall', 'heartbeatInterval'], [{ onerror: onError }, 'onerror', 'onError'],
      [{ instance: { ...instance, securePrt: 443 } }, 'instance.securePrt', 'instance.securePort', 'an option of `instance`'], backoffTypo,
    ],
    unknown: [
      { extra: { secret: 'hunter2' }, path: 'secret', known: ['url', 'app', 'fetch', 'instance', 'leaseDuration'] },
      { extra: { instance: { ...instance, status: 'hunter2' } }, path: 'instance.status', known: Object.keys(fullInstance), what: 'an option of `instance`' },
    ],
  }),
]);

const zkClient = (): never => {
  throw new Error('no ZooKeeper here');
};
const zkBase = { client: zkClient, path: '/services/users' };
const zkInstance = { host: '10.0.0.5', port: 8080 };
const fullZkInstance = {
  ...zkInstance, protocol: 'http', weight: 2, priority: 1, zone: 'eu', metadata: { a: 'b' }, basePath: '/api', name: 'users', payload: { any: 'json' }, shard: 1,
  additionalEndpoints: { http: { host: '10.0.0.5', port: 8081 } },
};

describeStrictKeys('the ZooKeeper adapters refuse unknown option keys', [
  adapter('zookeeperDiscovery', {
    build: (o) => zookeeperDiscovery(o as never), base: zkBase,
    all: { format: 'auto', protocol: 'https', tls: 'never', endpointName: 'http', requestTimeout: 1_000, backoff },
    typos: [[{ endpointname: 'x' }, 'endpointname', 'endpointName'], [{ tsl: 'only' }, 'tsl', 'tls'], backoffTypo],
    unknown: [{ extra: { chroot: 'hunter2' }, path: 'chroot', known: ['client', 'path', 'format', 'tls'] }, backoffUnknown],
  }),
  adapter('zookeeperRegistration', {
    // The registration starts at once; every key is checked before, by resolveRegistrationOptions.
    build: (o) => (o.instance === fullZkInstance ? resolveRegistrationOptions(o as never) : zookeeperRegistration(o as never)),
    base: { ...zkBase, instance: zkInstance },
    all: { instance: fullZkInstance, format: 'curator', node: 'n1', sequential: true, requestTimeout: 1_000, backoff, onError },
    typos: [
      [{ sequental: true }, 'sequental', 'sequential'], [{ instance: { ...zkInstance, wieght: 2 } }, 'instance.wieght', 'instance.weight', 'an option of `instance`'],
      [{ requestTimeOut: 5 }, 'requestTimeOut', 'requestTimeout'], backoffTypo,
    ],
    unknown: [
      { extra: { acl: 'hunter2' }, path: 'acl', known: ['client', 'path', 'instance', 'node'] },
      { extra: { instance: { ...zkInstance, secret: 'hunter2' } }, path: 'instance.secret', known: Object.keys(fullZkInstance), what: 'an option of `instance`' },
    ],
  }),
]);

/** An etcd3 client's shape with no etcd behind it: a lease cannot be had. */
const etcd = {
  get: () => {}, getAll: () => {}, watch: () => {},
  lease: () => {
    throw new Error('no etcd here');
  },
};
const endpoint = { host: '10.0.0.5', port: 8080 };
const fullEndpoint = { ...endpoint, protocol: 'https', weight: 2, priority: 1, zone: 'eu', metadata: { a: 'b' }, basePath: '/api' };
const stop = (made: unknown): Promise<void> => (made as { stop(): Promise<void> }).stop();

describeStrictKeys('the etcd adapters refuse unknown option keys', [
  adapter('etcdDiscovery', {
    build: (o) => etcdDiscovery(o as never), base: { client: etcd, prefix: 'services/users/' }, all: { backoff, pageSize: 10 },
    typos: [[{ pagesize: 10 }, 'pagesize', 'pageSize'], [{ prefx: 'x/' }, 'prefx', 'prefix'], backoffTypo],
    unknown: [{ extra: { namespace: 'hunter2' }, path: 'namespace', known: ['client', 'prefix', 'backoff', 'pageSize'] }, backoffUnknown],
  }),
  adapter('etcdRegistration', {
    build: (o) => etcdRegistration(o as never), base: { client: etcd, prefix: 'services/users/', endpoint }, dispose: stop,
    all: { endpoint: fullEndpoint, key: 'services/users/me', ttl: 5, backoff, onError },
    typos: [[{ ttll: 5 }, 'ttll', 'ttl'], [{ endpoint: { ...endpoint, wieght: 2 } }, 'endpoint.wieght', 'endpoint.weight', 'an option of `endpoint`'], backoffTypo],
    unknown: [
      { extra: { lease: 'hunter2' }, path: 'lease', known: ['client', 'prefix', 'endpoint', 'key', 'ttl', 'backoff', 'onError'] },
      { extra: { endpoint: { ...endpoint, auth: 'hunter2' } }, path: 'endpoint.auth', known: Object.keys(fullEndpoint), what: 'an option of `endpoint`' },
    ],
  }),
  adapter('etcdConfig', {
    build: (o) => etcdConfig(o as never), base: { client: etcd, key: 'config/users' }, all: { backoff },
    typos: [[{ kye: 'k' }, 'kye', 'key'], [{ Backoff: {} }, 'Backoff', 'backoff'], backoffTypo],
    unknown: [{ extra: { watch: 'hunter2' }, path: 'watch', known: ['client', 'key', 'backoff'] }, backoffUnknown],
  }),
]);

describe('adapters report a typo as they report a bad value', () => {
  it.each([
    ['dnsDiscovery', () => dnsDiscovery({ name: 'api.internal', port: 80, minInteval: 5_000 } as never), 'dnsDiscovery: minInteval is not an option of dnsDiscovery (did you mean `minInterval`?), got 5000'],
    ['consulDiscovery', () => consulDiscovery({ service: 'users', tokn: 'secret' } as never), 'consulDiscovery: tokn is not an option of consulDiscovery (did you mean `token`?), got "(hidden)"'],
    ['etcdDiscovery', () => etcdDiscovery({ client: etcd, prefix: 'p/', backoff: { mn: 5 } } as never), 'etcdDiscovery: backoff.mn is not an option of `backoff` (did you mean `backoff.min`?), got 5'],
  ] as const)('%s', (_name, make, message) => {
    expect(thrownConfigError(make).message).toBe(message);
  });

  it('a ZooKeeper registration update with a typo in the instance throws too', async () => {
    const reg = zookeeperRegistration({ ...zkBase, instance: zkInstance, backoff });
    await expect(reg.update({ ...zkInstance, zoen: 'eu' } as never)).rejects.toMatchObject({ path: 'instance.zoen' });
    await reg.stop();
  });
});
