// The A/AAAA lookups of dnsDiscovery (docs/architecture.md, "Discovery adapters"): one name's
// addresses in one family or both, and what a refresh does when one of two families fails.
import type { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { BulwarkError } from '../errors.js';

/** DNS answer codes that mean "no such records" rather than "no answer": NXDOMAIN and NOERROR without records. */
export const NO_RECORDS: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * A DNS query of a refresh failed: the server did not answer in time (`code` `'ETIMEOUT'`),
 * refused (`'EREFUSED'`), failed (`'ESERVFAIL'`), could not be reached (`'ECONNREFUSED'`), or
 * any other node:dns failure (its code, kept; the original error is the `cause`). `service` is
 * the name the adapter watches; `hostname` the name whose query failed (an SRV target's, for
 * an SRV name). Reported as a `discoveryError`; the client keeps its last good set and the
 * adapter retries with backoff. With `family: 0`, a failed query of one family while the other
 * answered is reported too, and that refresh goes on with what answered.
 *
 * @example
 * client.on('discoveryError', ({ error }) => { if (error instanceof DnsError) log.warn(error.service, error.hostname, error.code); });
 */
export class DnsError extends BulwarkError {
  /** The name whose query failed (the watched name, or one of its SRV targets). */
  readonly hostname: string;
  /**
   * True when the refresh went on without this query (`family: 0`, the other family answered):
   * the set was updated, and the client does not count it as a failed refresh (no later
   * `NoEndpointsError` names it as its cause).
   */
  readonly partial: boolean;
  /**
   * @example
   * throw new DnsError('ETIMEOUT', 'users.internal', 'users.internal', 'users.internal: the AAAA query timed out', { cause: err, partial: true });
   */
  constructor(code: string, service: string, hostname: string, message: string, options?: { cause?: unknown; partial?: boolean }) {
    super(code, service, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hostname = hostname;
    this.partial = options?.partial === true;
  }
}

/** A rejected record, reported as `endpointRejected`. */
export interface Rejection {
  readonly entry: unknown;
  readonly reason: string;
}

/** The addresses of one name, with the shortest TTL among them (seconds), or why there are none. */
export interface Addresses {
  readonly addresses: string[];
  readonly ttl: number | undefined;
  /** Set when there are no addresses: ENOTFOUND or ENODATA. */
  readonly code: string | undefined;
}

type Family = 4 | 6;

/**
 * What one refresh of a watch reads and remembers: the addresses each name had in each family
 * (kept for the next refresh, should one family's query fail then), and the failures of one
 * family that the refresh went on without.
 */
export class AddressBook {
  #known = new Map<string, Record<Family, readonly string[]>>();
  #next = new Map<string, Record<Family, readonly string[]>>();
  /** One family's queries that failed while the other family answered (family 0). */
  readonly halfFailed: DnsError[] = [];

  /** A new refresh, knowing what the last one that succeeded found. */
  next(): AddressBook {
    const book = new AddressBook();
    book.#known = this.#known;
    return book;
  }

  /** The book to keep after this refresh succeeded: what it read replaces what was known. */
  committed(): AddressBook {
    const book = new AddressBook();
    book.#known = this.#next;
    return book;
  }

  /** What the last successful refresh found for `name` in `family`. */
  known(name: string, family: Family): readonly string[] {
    return this.#known.get(name)?.[family] ?? [];
  }

  record(name: string, found: Record<Family, readonly string[]>): void {
    this.#next.set(name, found);
  }
}

/** A failed query of `hostname` (a watched name, or `service`'s SRV target) as a {@link DnsError}. */
export function queryFailed(err: unknown, service: string, hostname: string, what: string): DnsError {
  const code = codeOf(err) ?? 'ERR_BULWARK_DNS';
  const of = hostname === service ? hostname : `${hostname} (SRV target of ${service})`;
  return new DnsError(code, service, hostname, `dnsDiscovery: ${what} query for ${of} failed (${code})`, { cause: err });
}

export function codeOf(err: unknown): string | undefined {
  const code = err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

interface FamilyAnswer {
  readonly family: Family;
  readonly records: readonly { address: string; ttl: number }[] | undefined;
  /** ENOTFOUND or ENODATA: a complete answer without records. */
  readonly none: string | undefined;
  readonly failed: DnsError | undefined;
}

/**
 * The addresses of `name` in `family` (0: A and AAAA together) and their shortest TTL. "No such
 * records" (NXDOMAIN, NODATA) is an empty answer. Any other failure (timeout, refused, server
 * failure) throws a {@link DnsError} of `service` (the watched name), unless `family` is 0 and
 * the other family answered with addresses: then those are used, with the failed family's
 * addresses of the last refresh that read them (a half answer never drops the other half), and
 * the failure goes to `book.halfFailed`. A server that refuses AAAA queries (or times out on
 * them) then still yields the name's IPv4 endpoints, as getaddrinfo and Envoy's resolver give.
 */
export async function lookupAddresses(resolver: Resolver, name: string, family: 0 | Family, found: Rejection[], service: string, book: AddressBook): Promise<Addresses> {
  const query = async (v: Family): Promise<FamilyAnswer> => {
    try {
      const records = v === 4 ? await resolver.resolve4(name, { ttl: true }) : await resolver.resolve6(name, { ttl: true });
      return { family: v, records, none: undefined, failed: undefined };
    } catch (err) {
      const code = codeOf(err);
      if (code !== undefined && NO_RECORDS.has(code)) return { family: v, records: undefined, none: code, failed: undefined };
      return { family: v, records: undefined, none: undefined, failed: queryFailed(err, service, name, v === 4 ? 'A' : 'AAAA') };
    }
  };
  const answers = await Promise.all(family === 0 ? [query(4), query(6)] : [query(family)]);
  const found4: string[] = [];
  const found6: string[] = [];
  let ttl: number | undefined;
  let code: string | undefined;
  let failed: FamilyAnswer | undefined;
  for (const answer of answers) {
    if (answer.failed !== undefined) {
      failed ??= answer;
      continue;
    }
    if (answer.none !== undefined) {
      if (code !== 'ENODATA') code = answer.none; // the name exists if either family says so
      continue;
    }
    for (const record of answer.records!) {
      const address = record?.address;
      if (typeof address !== 'string' || isIP(address) === 0) {
        found.push({ entry: { name, address: String(address) }, reason: 'answer is not an IP address' });
        continue;
      }
      (answer.family === 4 ? found4 : found6).push(address);
      const t = record.ttl;
      if (typeof t === 'number' && Number.isFinite(t) && t >= 0) ttl = ttl === undefined ? t : Math.min(ttl, t);
    }
  }
  if (failed !== undefined) {
    // NXDOMAIN from the other family: the name does not exist, whatever the failed query would say.
    if (code === 'ENOTFOUND' && found4.length + found6.length === 0) return { addresses: [], ttl, code };
    // Every family failed, or the one that answered has no records of its own (NODATA): nothing
    // is known of the name, the refresh fails and the client keeps its last good set.
    if (found4.length + found6.length === 0) throw failed.failed!;
    const kept = book.known(name, failed.family);
    if (failed.family === 4) found4.push(...kept);
    else found6.push(...kept);
    book.halfFailed.push(halfFailure(failed.failed!, failed.family, kept.length));
  }
  book.record(name, { 4: found4, 6: found6 });
  const addresses: string[] = [];
  for (const address of [...found4, ...found6]) {
    // One server, one endpoint: an IPv4-mapped AAAA answer (::ffff:a.b.c.d, RFC 4291 §2.5.5.2)
    // is its IPv4 address, which an A answer may give as well.
    const plain = unmapped(address);
    if (!addresses.includes(plain)) addresses.push(plain);
  }
  return { addresses, ttl, code: addresses.length === 0 ? (code ?? 'ENODATA') : undefined };
}

/** The failure of one family's query, said with what the refresh did without it. */
function halfFailure(error: DnsError, family: Family, kept: number): DnsError {
  const failedType = family === 4 ? 'A' : 'AAAA';
  const usedType = family === 4 ? 'AAAA' : 'A';
  const keptText = kept === 0 ? '' : ` and the ${kept} ${failedType} address${kept === 1 ? '' : 'es'} of the last good answer`;
  const message = `${error.message}; this refresh uses the ${usedType} records${keptText} (for a server that never answers ${failedType} queries, set family: ${family === 4 ? 6 : 4})`;
  return new DnsError(error.code, error.service, error.hostname, message, { cause: error.cause, partial: true });
}

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.2`, or `::ffff:7f00:2`) as its IPv4 address; any other as it is. */
export function unmapped(address: string): string {
  const m = /^::ffff:(?:(\d{1,3}(?:\.\d{1,3}){3})|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (m === null) return address;
  if (m[1] !== undefined) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
