import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { EndpointHealth } from './endpoint-health.js';
import { levelsCoverLoad, route, type Levels, type RoutingOptions } from './routing.js';

/** What the picker gets now, and the state that decides it. */
export interface Candidates {
  readonly candidates: readonly LiveEndpoint[];
  /** Endpoints taking calls (healthy, or probing by real calls), for the panic threshold. */
  readonly taking: number;
  readonly panic: boolean;
  /** The levels picks must keep shares of (priority or zone failover across levels); undefined with one level. */
  readonly levels: Levels | undefined;
}

/**
 * The endpoints that take calls now (docs/architecture.md, "Endpoint health"): healthy ones,
 * probing ones with room for a probe (when real calls probe them, i.e. active checks do not judge them), none
 * pausing at its own request (Retry-After); then the panic guard (below `panicThreshold` %
 * taking calls, all endpoints) and priority/zone routing over what is left.
 *
 * @example
 * const { candidates, panic } = admittedCandidates(pool, { probes: 1, panicThreshold: 50, routing });
 */
export function admittedCandidates(
  pool: readonly LiveEndpoint[],
  options: { readonly probes: number; readonly panicThreshold: number; readonly routing: RoutingOptions },
): Candidates {
  // While every endpoint so far is admitted (the usual case) `admitted` is the pool itself, not a copy.
  let admitted: readonly LiveEndpoint[] = pool;
  let copy: LiveEndpoint[] | undefined;
  let taking = 0;
  let notEjected = 0;
  for (let i = 0; i < pool.length; i++) {
    const e = pool[i]!;
    const h = e.health;
    const probe = h !== undefined && hasProbeRoom(h, options.probes);
    if (h === undefined || (h.avoidUntil === 0 && (h.status === 'healthy' || probe))) copy?.push(e);
    else if (copy === undefined) admitted = copy = pool.slice(0, i);
    if (h === undefined || h.status !== 'ejected') {
      notEjected++;
      // One the checks judge takes no calls between its ejection's end and a passed check: not
      // counted, or panic would end while most endpoints still take none.
      if (takesCalls(e)) taking++;
    }
  }
  // Below the threshold, panic, unless the levels (priorities, zones) taking calls still cover
  // the whole load between them (Envoy's normalized total health of 100 %).
  const panic = pool.length > 0 && taking * 100 < options.panicThreshold * pool.length && !levelsCoverLoad(pool, takesCalls, options.routing);
  // In panic calls go to all endpoints rather than nowhere; with none admitted otherwise (all
  // busy probing, or pausing at their own request), to those not ejected, if any is not.
  if (panic || admitted.length === 0) {
    const all = panic || notEjected === pool.length || notEjected === 0 ? pool : pool.filter((e) => e.health === undefined || e.health.status !== 'ejected');
    // Panic widens the candidates to ejected endpoints, not to ones pausing at their own request
    // (Retry-After), unless every one is.
    const unpaused = panic ? all.filter((e) => e.health === undefined || e.health.avoidUntil === 0) : all;
    return { candidates: unpaused.length > 0 ? unpaused : all, taking, panic, levels: undefined };
  }
  const routed = route(pool, admitted, options.routing);
  return { candidates: routed.candidates, taking, panic, levels: routed.levels };
}

/**
 * Whether real calls may probe `h` now: probing, not judged by active checks, with room for a
 * probe. The one rule the candidates and the Retry-After wait (otherFreeAt) both follow.
 */
function hasProbeRoom(h: EndpointHealth, probes: number): boolean {
  return h.status === 'probing' && !h.checked && h.probes < probes;
}

/** Whether an endpoint counts as taking calls for the panic threshold: not ejected, and not one the checks judge that has yet to pass one. */
function takesCalls(e: LiveEndpoint): boolean {
  const h = e.health;
  return h === undefined || (h.status !== 'ejected' && (h.status === 'healthy' || !h.checked));
}

/** Whether two candidate lists hold the same endpoints in the same order. */
export function sameEndpoints(a: readonly LiveEndpoint[], b: readonly LiveEndpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * When some endpoint other than `endpoint` can next take a call: `now` when one is admitted now
 * (as {@link admittedCandidates} admits them), else the earliest end of another's pause at its
 * own request (Retry-After), else `Infinity` (the rest are ejected, or probing with no room for
 * a probe). The retry stage waits no longer than this for `endpoint`'s Retry-After.
 *
 * @example
 * const wait = Math.min(retryAfter, otherFreeAt(pool, endpoint, now, probes, panic) - now);
 */
export function otherFreeAt(pool: readonly LiveEndpoint[], endpoint: LiveEndpoint, now: number, probes: number, panic: boolean): number {
  let at = Infinity;
  for (const e of pool) {
    if (e === endpoint) continue;
    const h = e.health;
    if (h === undefined) return now;
    // In panic every endpoint is a candidate. Otherwise a healthy one, or one real calls probe
    // with room for a probe: probing, or ejected with its ejection over (it turns probing as the
    // next attempt starts).
    const probed = hasProbeRoom(h, probes) || (!h.checked && h.status === 'ejected' && h.until <= now);
    if (!panic && h.status !== 'healthy' && !probed) continue;
    if (h.avoidUntil <= now) return now;
    if (h.avoidUntil < at) at = h.avoidUntil;
  }
  return at;
}
