// dnsDiscovery (docs/architecture.md, "Discovery adapters"): endpoints from A/AAAA or SRV records,
// re-read when the answer's shortest TTL runs out (clamped), with a resolver of its own so that
// its servers, timeouts and cancellation touch nobody else's lookups.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { EndpointInit } from '../endpoints/endpoint.js';
import type { Discovery } from './discovery.js';
import { AddressBook, codeOf, DnsError, lookupAddresses, NO_RECORDS, queryFailed, unmapped, type Addresses, type Rejection } from './dns-addresses.js';
import { refreshDelay, resolveDnsOptions, srvRefreshDelay, type DnsDiscoveryOptions, type ResolvedDnsOptions } from './dns-options.js';
import { checkSrv, nameEndpoints, srvEndpoints, type UsableSrv } from './dns-records.js';
import { rejectOnce, retrySource, sleep } from './support.js';

export { DnsError } from './dns-addresses.js';
export type { DnsCommonOptions, DnsDiscoveryOptions, DnsNameOptions, DnsSrvOptions } from './dns-options.js';

/** SRV targets resolved at once (each one query per family). */
const TARGET_CONCURRENCY = 16;

/**
 * A refresh found no usable records: the name does not exist (`code` `'ENOTFOUND'`, NXDOMAIN),
 * has no records of the family asked for (`'ENODATA'`), or all its SRV records were dropped
 * (`'ENOUSABLE'`). Reported as a `discoveryError`; the client keeps its last good set. A
 * {@link DnsError}: a complete answer, that had nothing to use.
 *
 * @example
 * client.on('discoveryError', ({ error }) => { if (error instanceof DnsNoRecordsError) log.warn(error.hostname, error.code); });
 */
export class DnsNoRecordsError extends DnsError {
  /**
   * @example
   * throw new DnsNoRecordsError('users.internal', 'A or AAAA records', 'ENODATA');
   */
  constructor(hostname: string, what: string, code: string) {
    super(code, hostname, hostname, `dnsDiscovery: ${what} for ${hostname} (${code})${hostname.includes('.') ? '' : SEARCH_HINT}`);
  }
}

/**
 * Said of a name without a dot: node:dns's resolver queries a name as given, without the
 * search domains of resolv.conf that getaddrinfo (and so `dns.lookup`) would try.
 */
const SEARCH_HINT = '; names are queried as given, without resolv.conf search domains: give the fully qualified name';

/** What a refresh found. */
interface Answer {
  readonly endpoints: EndpointInit[];
  /** Ms until the next refresh. */
  readonly delay: number;
  /** What it read, for the next refresh, and the failures of one family it went on without. */
  readonly book: AddressBook;
}

/**
 * Endpoints from DNS. `{ name, port }` reads the name's A and AAAA records (one endpoint per
 * address, on `port`); `{ srv }` reads SRV records and resolves their targets (SRV priority
 * becomes the endpoint's priority level, weight its weight). It re-reads at the answer's
 * shortest TTL, no sooner than `minInterval` (5 s) and no later than `maxInterval` (30 s); SRV
 * names, whose TTL node:dns does not report, every `interval` (30 s) or sooner when a target's
 * address TTL runs out. A failed refresh, NXDOMAIN or an empty answer is reported as a
 * `discoveryError` and re-tried with backoff while the client keeps the last good set; unusable
 * SRV records (port 0, a target without addresses) are dropped with `endpointRejected`. Every
 * endpoint carries the DNS name in `metadata.hostname` (the SRV target for SRV), e.g. for a
 * TLS servername.
 *
 * @example
 * const users = createClient({ name: 'users', discovery: dnsDiscovery({ name: 'users.internal', port: 8080 }) });
 * const jobs = createClient({ name: 'jobs', discovery: dnsDiscovery({ srv: '_http._tcp.jobs.internal', servers: ['10.0.0.2'] }) });
 * @throws ConfigError naming the wrong option.
 */
export function dnsDiscovery(options: DnsDiscoveryOptions): DnsDiscovery {
  return new DnsDiscovery(options);
}

/**
 * The adapter behind {@link dnsDiscovery} (options checked when it is made). It can serve
 * several clients: each `watch` has a resolver and a refresh loop of its own.
 *
 * @example
 * const discovery = new DnsDiscovery({ name: 'users.internal', port: 8080 });
 */
export class DnsDiscovery implements Discovery {
  readonly #options: ResolvedDnsOptions;

  /**
   * @example
   * const discovery = new DnsDiscovery({ name: 'users.internal', port: 8080 }); // as dnsDiscovery(…) makes it
   */
  constructor(options: DnsDiscoveryOptions) {
    this.#options = resolveDnsOptions(options);
  }

  /**
   * Resolves the name now and again after each answer's TTL (within `minInterval` and
   * `maxInterval`), reporting each changed set to `update`, a failed refresh to `error` and a
   * record it cannot use to `rejected`; the stop function ends the loop and the queries in flight.
   *
   * @example
   * const stop = new DnsDiscovery({ srv: '_http._tcp.users.internal' }).watch(console.log, console.error, () => {});
   * await stop();
   */
  watch(update: (endpoints: readonly EndpointInit[]) => void, error: (err: unknown) => void, rejected: (entry: unknown, reason: string) => void): () => Promise<void> {
    const o = this.#options;
    const controller = new AbortController();
    const { signal } = controller;
    // node:dns takes whole ms only (a fraction throws a RangeError at watch): rounded up, so a try waits no less than asked.
    const resolver = new Resolver({ timeout: Math.ceil(o.timeout), tries: o.tries });
    if (o.servers !== undefined) resolver.setServers(o.servers);
    // A record dropped again on every refresh is reported once, until it is gone or fixed; a
    // failed refresh adds what it found to what is remembered, bounded (MAX_REMEMBERED_REJECTIONS).
    const rejections = rejectOnce((entry, reason) => {
      if (!signal.aborted) quietly(() => rejected(entry, reason));
    });
    // The addresses the last successful refresh found, per name and family.
    let known = new AddressBook();
    const attempt = async (): Promise<Answer> => {
      const found: Rejection[] = [];
      const book = known.next();
      try {
        const answer = o.kind === 'srv' ? await resolveSrvOnce(resolver, o, found, book) : await resolveNameOnce(resolver, o, found, book);
        rejections.report(found, true);
        return answer;
      } catch (err) {
        // No records at all is a complete answer (the name or its records are gone): what was
        // rejected before is forgotten, and reported again if it comes back, and the addresses
        // it read (none) are what the next refresh knows. A failed query is not: it adds what it
        // found to what is remembered, and the addresses known stay.
        const complete = err instanceof DnsNoRecordsError;
        rejections.report(found, complete);
        if (complete) known = book.committed();
        throw err;
      }
    };
    const loop = (async (): Promise<void> => {
      try {
        while (!signal.aborted) {
          const answer = await retrySource(attempt, signal, (err) => quietly(() => error(err)), o.backoff);
          if (signal.aborted) return;
          known = answer.book.committed();
          quietly(() => update(answer.endpoints));
          // One family's query failed while the other answered (family 0): the set is what
          // answered, and the failure is said after it (one per refresh, however many names).
          const half = answer.book.halfFailed[0];
          if (half !== undefined) quietly(() => error(half));
          await sleep(answer.delay, signal);
        }
      } catch {
        // Only an abort ends retrySource: stop() was called.
      }
    })();
    return async () => {
      controller.abort();
      // Ends the queries in flight at once (they fail with ECANCELLED, which nobody hears).
      resolver.cancel();
      await loop;
    };
  }
}

/** Calls a listener; one that throws must not end the refresh loop. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // The client's listeners never throw; someone else's watch callbacks are theirs to fix.
  }
}

async function resolveNameOnce(resolver: Resolver, o: ResolvedDnsOptions, found: Rejection[], book: AddressBook): Promise<Answer> {
  const { addresses, ttl, code } = await lookupAddresses(resolver, o.query, o.family, found, o.query, book);
  if (addresses.length === 0) throw new DnsNoRecordsError(o.query, familyRecords(o.family), code ?? 'ENODATA');
  return { endpoints: nameEndpoints(o.query, addresses, o.port, o.weight, o), delay: refreshDelay(ttl, o), book };
}

async function resolveSrvOnce(resolver: Resolver, o: ResolvedDnsOptions, found: Rejection[], book: AddressBook): Promise<Answer> {
  let records: unknown;
  try {
    records = await resolver.resolveSrv(o.query);
  } catch (err) {
    const code = codeOf(err);
    if (code !== undefined && NO_RECORDS.has(code)) throw new DnsNoRecordsError(o.query, 'no SRV records', code);
    throw queryFailed(err, o.query, o.query, 'SRV');
  }
  const list = Array.isArray(records) ? (records as { name: string; port: number; priority: number; weight: number }[]) : [];
  const { usable, rejected } = checkSrv(list);
  for (const r of rejected) found.push({ entry: { srv: o.query, ...r.entry }, reason: r.reason });
  // Each target is resolved once, however many records name it; a target that does not
  // resolve drops its records, a resolver that fails fails the refresh.
  // A target written as an address (against RFC 2782, but seen in practice) is taken as it is.
  const lookups = new Map<string, Addresses>();
  for (const r of usable) {
    const v = isIP(r.target);
    if (v !== 0) lookups.set(r.target, v === o.family || o.family === 0 ? { addresses: [unmapped(r.target)], ttl: undefined, code: undefined } : { addresses: [], ttl: undefined, code: 'ENODATA' });
  }
  const targets = [...new Set(usable.map((r) => r.target))].filter((t) => !lookups.has(t));
  // At most TARGET_CONCURRENCY lookups at a time: a large answer (SRV over TCP holds thousands
  // of records) must not fire thousands of queries at once.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const t = targets[next++]!;
      try {
        lookups.set(t, await lookupAddresses(resolver, t, o.family, found, o.query, book));
      } catch (err) {
        next = targets.length; // the refresh has failed: the other workers stop too
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TARGET_CONCURRENCY, targets.length) }, worker));
  const resolved: { record: UsableSrv; addresses: readonly string[] }[] = [];
  let ttl: number | undefined;
  for (const record of usable) {
    const a = lookups.get(record.target)!;
    if (a.addresses.length === 0) {
      found.push({ entry: { srv: o.query, name: record.target, port: record.port, priority: record.priority, weight: record.weight }, reason: `SRV target has no ${familyRecords(o.family).replace(/^no /, '')} (${a.code ?? 'ENODATA'})` });
      continue;
    }
    resolved.push({ record, addresses: a.addresses });
    if (a.ttl !== undefined) ttl = ttl === undefined ? a.ttl : Math.min(ttl, a.ttl);
  }
  const endpoints = srvEndpoints(o.query, resolved, o);
  if (endpoints.length === 0) {
    throw new DnsNoRecordsError(o.query, list.length === 0 ? 'no SRV records' : `none of ${list.length} SRV records usable`, list.length === 0 ? 'ENODATA' : 'ENOUSABLE');
  }
  // Target addresses carry TTLs: the set is re-read when the first runs out, or after `interval`.
  return { endpoints, delay: srvRefreshDelay(ttl, o), book };
}

function familyRecords(family: 0 | 4 | 6): string {
  return family === 4 ? 'no A records' : family === 6 ? 'no AAAA records' : 'no A or AAAA records';
}


