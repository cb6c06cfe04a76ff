// What broke: names such as 127.1 were accepted and queried in DNS for ever.
// dnsDiscovery refuses `name: '127.0.0.1'` ("must be a DNS name, not an address (list addresses
// with staticDiscovery)"), and a fix made '127.0.0.1.' refused too, because it was otherwise
// queried as a name for ever (test/unit/dns-name-address-trailing-dot.test.ts). The check uses
// node:net's strict isIP, so the IPv4 forms every URL parser (and bulwark's own endpoint parser,
// README "Hosts are checked and normalised as a URL parser would") reads as 127.0.0.1 pass as
// DNS names: '127.1', '0x7f.0.0.1', '2130706433'. They are then queried in DNS for ever.
import { expect, it } from 'vitest';
import { ConfigError, dnsDiscovery } from '../../src/index.js';

for (const name of ['127.1', '0x7f.0.0.1', '2130706433', '127.0.1.']) {
  it(`a name a URL parser reads as an IPv4 address (${name}) is refused with a ConfigError naming "name"`, () => {
    expect(new URL(`http://${name}/`).hostname).toMatch(/^127\.0\.0\.1\.?$/); // what every URL, fetch and undici make of it
    let thrown: unknown;
    try {
      dnsDiscovery({ name, port: 80 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).path).toBe('name');
  });
}
