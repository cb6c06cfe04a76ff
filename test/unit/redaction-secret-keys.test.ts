import { describe as suite, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { eurekaDiscovery } from '../../src/eureka/index.js';
import { createGrpcClient } from '../../src/grpc/index.js';
import { describe as describeValue } from '../../src/redact.js';

/** The ConfigError `run` throws. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}

/** Everything a log line could show of an error: message, path, value. */
const shown = (err: ConfigError): string => `${err.message} ${err.path} ${JSON.stringify(err.value)}`;

suite('ConfigError never shows values under secret-looking keys (redactUrl keeps strings that are no URL whole)', () => {
  it('an adapter\'s options given as `discovery` (a Consul token, an Authorization header)', () => {
    const bad = { service: 'users', url: 'http://consul:8500', token: 'c0nsul-acl-t0ken', headers: { Authorization: 'Bearer eyJhbGciOi.s3cret' } };
    const err = configError(() => createClient({ name: 'svc', discovery: bad as never }));
    expect(err.path).toBe('discovery');
    expect(shown(err)).not.toMatch(/c0nsul-acl-t0ken|eyJhbGciOi|s3cret/);
    // What is no secret is still shown, so the mistake can be seen.
    expect(err.message).toContain('"service":"users"');
    expect(err.value).toEqual({ service: 'users', url: 'http://consul:8500', token: '(hidden)', headers: { Authorization: '(hidden)' } });
    expect(bad.token).toBe('c0nsul-acl-t0ken'); // the caller's object is left alone
  });

  it('TLS material given as gRPC `credentials` instead of ChannelCredentials', () => {
    const ctor = Object.assign(function Users() {}, { service: {} });
    const credentials = { rootCerts: 'ca', privateKey: '-----BEGIN PRIVATE KEY-----\nMIIE', passphrase: 'hunter2' };
    const err = configError(() => createGrpcClient(ctor as never, { name: 'svc', discovery: ['127.0.0.1:1'], credentials } as never));
    expect(err.path).toBe('credentials');
    expect(shown(err)).not.toMatch(/PRIVATE KEY|MIIE|hunter2/);
    expect(err.value).toEqual({ rootCerts: 'ca', privateKey: '(hidden)', passphrase: '(hidden)' });
  });

  it('describe() (endpointRejected entries) hides them too, Buffers and nested objects included', () => {
    const text = describeValue({ host: 'h', port: 0, metadata: { apiKey: 'k3y-val' }, auth: { user: 'u', password: 'pw-val' }, key: Buffer.from('raw-key') });
    expect(text).not.toMatch(/k3y-val|pw-val|raw-key|114,97,119/);
    expect(text).toContain('"host":"h"');
  });
});

suite('EurekaError hides the credentials of a `Scheme credentials` header when a server echoes them alone', () => {
  it('a 401 naming the bearer token', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.s3cret';
    const fetch = async (): Promise<Response> => new Response(`invalid_token: ${token} has expired`, { status: 401 });
    const client = createClient({
      name: 'svc',
      discovery: eurekaDiscovery({ url: 'http://eureka.invalid:8761/eureka', app: 'users', headers: { Authorization: `Bearer ${token}` }, fetch, backoff: { min: 10_000, max: 10_000 } }),
    });
    try {
      const { error } = await new Promise<{ error: unknown }>((resolve) => client.on('discoveryError', resolve));
      expect((error as Error).message).toMatch(/401/);
      expect((error as Error).message).not.toMatch(/eyJhbGciOiJIUzI1NiJ9|s3cret/);
    } finally {
      await client.close();
    }
  });
});

// What broke: only `key` and `privateKey` were hidden among the keys that end in "key", so a
// TLS client key given as `clientKey` or `tlsKey` (names other libraries use) was shown whole.
suite('ConfigError hides TLS keys under their usual names', () => {
  it('clientKey, tlsKey, sslKey, client_key and private-key', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQ';
    const bad = { service: 'users', clientKey: pem, tlsKey: pem, sslKey: pem, client_key: pem, 'private-key': pem, routingKey: 'shard-7' };
    const err = configError(() => createClient({ name: 'svc', discovery: bad as never }));
    expect(shown(err)).not.toMatch(/PRIVATE KEY|MIIEvQ/);
    // A key that merely ends in "key" and holds no secret is still shown.
    expect((err.value as Record<string, unknown>).routingKey).toBe('shard-7');
  });
});

// What broke: keys under `client-key-data` (kubeconfig), `clientKeyData` or `privKey` were shown.
suite('ConfigError hides TLS private keys under their kubeconfig and short names', () => {
  it("a kubeconfig user entry given where options were expected: client-key-data is not echoed", () => {
    const user = { 'client-certificate-data': 'LS0tLS1CRUdJTiBDRVJU', 'client-key-data': 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2Z0lCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktnd2dnU2tBZ0VBQW9JQkFRQw==' };
    const err = configError(() => createClient({ name: 'svc', discovery: user as never }));
    expect(shown(err)).not.toContain('LS0tLS1CRUdJTiBQUklWQVRF');
  });

  it('clientKeyData / privKey are hidden as clientKey / privateKey are', () => {
    const bad = { host: 'h', clientKeyData: '-----BEGIN PRIVATE KEY-----\nMIIEsecret1', privKey: '-----BEGIN PRIVATE KEY-----\nMIIEsecret2' };
    const err = configError(() => createClient({ name: 'svc', discovery: bad as never }));
    expect(shown(err)).not.toMatch(/MIIEsecret1|MIIEsecret2/);
  });
});
