// node:dns's resolver queries a name as given: a short name (`users`, as Kubernetes' search
// domains would complete it for getaddrinfo) gets NXDOMAIN for ever. The error says so.
import { expect, it } from 'vitest';
import { DnsError, DnsNoRecordsError } from '../../src/index.js';

it('a DnsNoRecordsError for a name without a dot says that search domains are not applied; a qualified name gets no such hint', () => {
  const short = new DnsNoRecordsError('users', 'no A or AAAA records', 'ENOTFOUND');
  expect(short).toBeInstanceOf(DnsError);
  expect(short.message).toContain('without resolv.conf search domains');
  expect(short).toMatchObject({ code: 'ENOTFOUND', service: 'users', hostname: 'users' });
  expect(new DnsNoRecordsError('users.internal', 'no A records', 'ENODATA').message).toBe('dnsDiscovery: no A records for users.internal (ENODATA)');
});
