// The TLS server name of an https endpoint at an IP address is the name it was discovered by
// (`metadata.hostname`), never an address: an SRV target written as an IP address (against RFC
// 2782, but seen in practice) becomes the metadata hostname as it is, and an address as the
// server name is refused by Node 26 (and deprecated before), while a certificate names a host.
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/index.js';
import { tlsServerName } from '../../src/endpoints/server-name.js';

const at = (host: string, hostname?: string): Endpoint => ({ host, metadata: hostname === undefined ? {} : { hostname } }) as unknown as Endpoint;

describe('tlsServerName', () => {
  it('is the discovered name for an endpoint at an address', () => {
    expect(tlsServerName(at('10.0.0.7', 'api.internal'))).toBe('api.internal');
    expect(tlsServerName(at('::1', 'api.internal'))).toBe('api.internal');
  });

  it('is none when the host is a name, no name is known, or the known "name" is an address too', () => {
    expect(tlsServerName(at('api.internal', 'other.internal'))).toBeUndefined();
    expect(tlsServerName(at('10.0.0.7'))).toBeUndefined();
    expect(tlsServerName(at('10.0.0.7', ''))).toBeUndefined();
    expect(tlsServerName(at('10.0.0.7', '10.0.0.7'))).toBeUndefined();
    expect(tlsServerName(at('10.0.0.7', '::1'))).toBeUndefined();
  });
});
