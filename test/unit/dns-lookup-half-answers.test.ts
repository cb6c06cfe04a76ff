// lookupAddresses with family 0 when one family's query fails (dnsDiscovery's half answers), with
// a resolver scripted per name and family. What broke (diff review of the half-answer change): an
// NXDOMAIN from one family and a failure of the other failed the refresh (an SRV target that
// does not exist then blocked every refresh of a server refusing AAAA); it is "no such name".
import type { Resolver } from 'node:dns/promises';
import { describe, expect, it } from 'vitest';
import { AddressBook, DnsError, lookupAddresses } from '../../src/discovery/dns-addresses.js';

type Answer = readonly string[] | string; // addresses, or node:dns's error code

function resolver(a: Answer, aaaa: Answer): Resolver {
  const answer = async (v: Answer): Promise<{ address: string; ttl: number }[]> => {
    if (typeof v === 'string') throw Object.assign(new Error(`query failed ${v}`), { code: v });
    return v.map((address) => ({ address, ttl: 7 }));
  };
  return { resolve4: () => answer(a), resolve6: () => answer(aaaa) } as unknown as Resolver;
}

const lookup = (r: Resolver, book = new AddressBook()) => lookupAddresses(r, 'svc.test', 0, [], 'svc.test', book);

describe('lookupAddresses, family 0, one family failing', () => {
  it('A answered, AAAA refused: the A addresses, and the refusal as a partial DnsError', async () => {
    const book = new AddressBook();
    const got = await lookup(resolver(['10.0.0.1'], 'EREFUSED'), book);
    expect(got).toEqual({ addresses: ['10.0.0.1'], ttl: 7, code: undefined });
    expect(book.halfFailed).toHaveLength(1);
    const error = book.halfFailed[0]!;
    expect(error).toBeInstanceOf(DnsError);
    expect(error.partial).toBe(true);
    expect(error.code).toBe('EREFUSED');
    expect(error.message).toBe('dnsDiscovery: AAAA query for svc.test failed (EREFUSED); this refresh uses the A records (for a server that never answers AAAA queries, set family: 4)');
  });

  it('the failed family keeps the addresses the last committed refresh found', async () => {
    const first = new AddressBook().next();
    await lookup(resolver(['10.0.0.1'], ['fd00::1']), first);
    const second = first.committed().next();
    const got = await lookup(resolver(['10.0.0.2'], 'ETIMEOUT'), second);
    expect(got.addresses).toEqual(['10.0.0.2', 'fd00::1']);
    expect(second.halfFailed[0]!.message).toContain('this refresh uses the A records and the 1 AAAA address of the last good answer');
    // And the next refresh still knows it.
    const third = second.committed().next();
    expect((await lookup(resolver(['10.0.0.2'], 'ETIMEOUT'), third)).addresses).toEqual(['10.0.0.2', 'fd00::1']);
  });

  it('NXDOMAIN from the family that answered: no such name, whatever the failed query (no throw, nothing reported)', async () => {
    const book = new AddressBook();
    expect(await lookup(resolver('ENOTFOUND', 'EREFUSED'), book)).toEqual({ addresses: [], ttl: undefined, code: 'ENOTFOUND' });
    expect(book.halfFailed).toEqual([]);
  });

  it('NODATA from the family that answered: nothing is known of the other, so the failure fails the lookup', async () => {
    await expect(lookup(resolver('ENODATA', 'EREFUSED'))).rejects.toMatchObject({ code: 'EREFUSED', partial: false });
  });

  it('both families failing fails the lookup with a DnsError that is not partial', async () => {
    const err = await lookup(resolver('ETIMEOUT', 'EREFUSED')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsError);
    expect((err as DnsError).partial).toBe(false);
  });

  it('one family asked for (family 4): its failure fails the lookup', async () => {
    await expect(lookupAddresses(resolver('EREFUSED', ['fd00::1']), 'svc.test', 4, [], 'svc.test', new AddressBook())).rejects.toMatchObject({ code: 'EREFUSED' });
  });
});
