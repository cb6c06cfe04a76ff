// What broke: src/redact.ts SECRET_KEY: TLS private keys are hidden only under names that END in "key"
// (key, clientKey, tlsKey, ssl_key): the same secret under the very common "...KeyData" /
// "client-key-data" names (kubeconfig's user entry, @kubernetes/client-node's `keyData`) or
// "privKey" is echoed whole in ConfigError.
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}

const shown = (err: ConfigError): string => `${err.message} ${err.path} ${JSON.stringify(err.value)}`;

describe('ConfigError hides TLS private keys under their usual names', () => {
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
