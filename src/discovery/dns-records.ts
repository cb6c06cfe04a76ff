// DNS answers to endpoint descriptions (docs/architecture.md, "Discovery adapters"): which SRV
// records are usable, how SRV priority and weight become bulwark's priority levels and weights,
// and the metadata an endpoint carries. Pure functions: the queries are in dns.ts.
import { MAX_WEIGHT } from '../endpoints/parse.js';
import { isIP } from 'node:net';
import type { EndpointInit } from '../endpoints/endpoint.js';
import { isDnsName } from './dns-options.js';

/** One SRV record as node:dns returns it. */
export interface SrvAnswer {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** An SRV record that passed the checks, its target normalised (lower case, no trailing dot). */
export interface UsableSrv extends SrvAnswer {
  readonly target: string;
}

/** What the endpoints of one answer share. */
export interface EndpointShape {
  readonly protocol: string;
  readonly basePath: string;
}

/**
 * Splits SRV records into usable ones and rejected ones with the reason. Rejected: a port
 * outside 1–65535 (0 included), a priority or weight outside 0–65535, a target `.` (RFC 2782:
 * "the service is decidedly not available") or a target that is neither a DNS name nor an IP
 * address (an address, though RFC 2782 asks for a name, is taken as it is).
 *
 * @example
 * checkSrv([{ name: 'a.internal', port: 0, priority: 0, weight: 0 }]).rejected[0].reason; // 'SRV port 0 is not a usable port (1–65535)'
 */
export function checkSrv(records: readonly SrvAnswer[]): { usable: UsableSrv[]; rejected: { entry: SrvAnswer; reason: string }[] } {
  const usable: UsableSrv[] = [];
  const rejected: { entry: SrvAnswer; reason: string }[] = [];
  for (const r of records) {
    const reason = srvProblem(r);
    if (reason !== undefined) rejected.push({ entry: { name: String(r.name), port: r.port, priority: r.priority, weight: r.weight }, reason });
    else usable.push({ ...r, target: normaliseName(r.name) });
  }
  return { usable, rejected };
}

function srvProblem(r: SrvAnswer): string | undefined {
  const u16 = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65_535;
  if (!u16(r.port) || r.port === 0) return `SRV port ${String(r.port)} is not a usable port (1–65535)`;
  if (!u16(r.priority)) return `SRV priority ${String(r.priority)} is outside 0–65535`;
  if (!u16(r.weight)) return `SRV weight ${String(r.weight)} is outside 0–65535`;
  if (typeof r.name !== 'string' || r.name === '' || r.name === '.') return 'SRV target "." means the service is not available at this name';
  const target = normaliseName(r.name);
  if (!isDnsName(target) && isIP(target) === 0) return 'SRV target is not a DNS name';
  return undefined;
}

/** Lower case, without a trailing dot. */
export function normaliseName(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}

/**
 * Weights of SRV records at one priority, for bulwark's weighted pickers (which need weights > 0).
 * RFC 2782: weight 0 records "should have a very small chance of being selected" when others
 * have weight > 0, and are equal when all have 0. So: all 0 → 1 each; otherwise a 0 becomes a
 * hundredth of the smallest non-zero weight at that priority.
 *
 * @example
 * srvWeights([10, 0, 30]); // [10, 0.1, 30]
 * srvWeights([0, 0]);      // [1, 1]
 */
export function srvWeights(weights: readonly number[]): number[] {
  const nonZero = weights.filter((w) => w > 0);
  if (nonZero.length === 0) return weights.map(() => 1);
  const small = Math.min(...nonZero) / 100;
  return weights.map((w) => (w > 0 ? w : small));
}

/**
 * Endpoints for SRV records whose targets resolved: SRV priorities become 0-based levels in
 * order (lower is preferred in both; a priority without an endpoint of its own takes none), weights go through {@link srvWeights} and a target with
 * several addresses shares its record's weight among them; records that lead to the same address
 * and port make one endpoint, with their weights added up at the most preferred priority.
 * Metadata: `hostname` (the first such target in order, e.g. for TLS servername) and `srv` (the
 * SRV name). Ordered by priority, then target, port and address, so that the same answer in
 * another order is the same set.
 *
 * @example
 * srvEndpoints('_http._tcp.api', [{ record, addresses: ['10.0.0.1'] }], { protocol: 'http', basePath: '' });
 */
export function srvEndpoints(srv: string, resolved: readonly { record: UsableSrv; addresses: readonly string[] }[], shape: EndpointShape): EndpointInit[] {
  const withAddresses = resolved.filter((r) => r.addresses.length > 0);
  const priorities = [...new Set(withAddresses.map((r) => r.record.priority))].sort((a, b) => a - b);
  // Records that lead to one address and port are one endpoint: at one priority their shares add
  // up (RFC 2782 draws among records by weight), and the most preferred priority keeps it.
  const byAddress = new Map<string, { host: string; port: number; priority: number; weight: number; target: string }>();
  for (const [level, priority] of priorities.entries()) {
    const group = withAddresses
      .filter((r) => r.record.priority === priority)
      .sort((a, b) => (a.record.target < b.record.target ? -1 : a.record.target > b.record.target ? 1 : a.record.port - b.record.port || a.record.weight - b.record.weight));
    const weights = srvWeights(group.map((r) => r.record.weight));
    group.forEach(({ record, addresses }, i) => {
      const weight = weights[i]! / addresses.length;
      for (const host of addresses) {
        const key = `${host} ${record.port}`;
        const known = byAddress.get(key);
        if (known === undefined) byAddress.set(key, { host, port: record.port, priority: level, weight, target: record.target });
        else if (known.priority === level) known.weight += weight;
      }
    });
  }
  const ordered = [...byAddress.values()].sort((a, b) => a.priority - b.priority || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0) || a.port - b.port || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  // Levels are numbered by the endpoints that hold them: a priority whose every record merged into
  // a more preferred endpoint takes none (a redundant record does not move every later endpoint down).
  const levels = [...new Set(ordered.map((e) => e.priority))];
  // Records summed onto one address:port can pass the endpoint weight's bound (16 × 65535): held
  // at MAX_WEIGHT rather than the endpoint lost (shares among such heavy endpoints barely change).
  return ordered.map(({ host, port, priority, weight, target }) => ({ host, port, protocol: shape.protocol, basePath: shape.basePath, priority: levels.indexOf(priority), weight: Math.min(weight, MAX_WEIGHT), metadata: { hostname: target, srv } }));
}

/**
 * Endpoints for the addresses of a name: one per address, on `port`, with the name as
 * metadata `hostname` (for TLS servername or a Host header).
 *
 * @example
 * nameEndpoints('api.internal', ['10.0.0.1'], 8080, 1, { protocol: 'http', basePath: '' });
 */
export function nameEndpoints(name: string, addresses: readonly string[], port: number, weight: number, shape: EndpointShape): EndpointInit[] {
  // Sorted: servers rotate the order of their answers, and the set is the same set.
  return [...addresses].sort().map((host) => ({ host, port, weight, protocol: shape.protocol, basePath: shape.basePath, metadata: { hostname: name } }));
}
