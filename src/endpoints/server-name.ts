import { isIP } from 'node:net';
import type { Endpoint } from './endpoint.js';

/**
 * The name to check a TLS endpoint's certificate against when its host is an IP address:
 * `metadata.hostname`, the name it was discovered by (`dnsDiscovery` sets it). `undefined`
 * when the host is a name already, or no name is known (an address in `hostname` is none). Node 26 refuses an IP address as the
 * TLS server name, and a certificate names a host, not an address.
 *
 * @example
 * tlsServerName({ host: '10.0.0.7', metadata: { hostname: 'api.internal' }, … }); // 'api.internal'
 */
export function tlsServerName(endpoint: Endpoint): string | undefined {
  const hostname = endpoint.metadata.hostname;
  // An address as the "name" (an SRV target written as an IP address) is no server name either.
  return isIP(endpoint.host) === 0 || hostname === undefined || hostname === '' || isIP(hostname) !== 0 ? undefined : hostname;
}
