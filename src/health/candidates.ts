import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { EndpointHealth } from './endpoint-health.js';
import { levelsCoverLoad, route, type Levels, type RoutingOptions } from './routing.js';

/** What the picker gets now, and the state that decides it. */
export interface Candidates {
  readonly candidates: readonly LiveEndpoint[];
  /** Endpoints taking calls (healthy, or probing by real calls), for the panic threshold. */
  readonly taking: number;
  /** Calls go to ejected endpoints: of every priority, or of a priority below the threshold with a share (per-priority panic). */
  readonly panic: boolean;
  /** In per-priority panic, the priorities spread over all their endpoints; undefined in total panic or none. */
  readonly panicking?: ReadonlySet<number> | undefined;
  /** The levels picks must keep shares of (priority or zone failover across levels); undefined with one level. */
  readonly levels: Levels | undefined;
}

/**
 * The endpoints that take calls now (docs/architecture.md, "Endpoint health"): healthy ones,
 * probing ones with room for a probe (when real calls probe them, i.e. active checks do not judge them), none
 * pausing at its own request (Retry-After); then the panic guard (below `panicThreshold` %
 * taking calls, all endpoints; with several priorities, per priority: see below) and
 * priority/zone routing over what is left. With none admitted
 * and no panic, the endpoints not ejected (pausing ones, or ones busy probing), and none at all
 * when every one is ejected (`panicThreshold` 0: no panic, as in Envoy).
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
  let mixed = false;
  for (let i = 0; i < pool.length; i++) {
    const e = pool[i]!;
    const h = e.health;
    if (e.priority !== pool[0]!.priority) mixed = true;
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
  // Below the threshold, panic. With several priorities, as in Envoy, none while the priorities
  // taking calls cover the whole load between them (normalized total health of 100 %), and
  // otherwise per priority: one below the threshold spreads its share over all its endpoints
  // (`panicking`), while the priorities keep their shares by health; only with no endpoint
  // taking calls anywhere do calls go to all endpoints.
  let panic = false;
  let panicking: ReadonlySet<number> | undefined;
  if (pool.length > 0 && options.panicThreshold > 0) {
    if (!mixed) panic = taking * 100 < options.panicThreshold * pool.length;
    else if (!levelsCoverLoad(pool, takesCalls, options.routing)) {
      // Every priority below it still keeps its share by health (Envoy: one with nothing
      // taking calls gets none); only with nothing taking calls anywhere do calls go to all.
      const below = prioritiesInPanic(pool, options.panicThreshold);
      if (taking === 0) panic = true;
      else if (below.priorities.size > 0) panicking = below.priorities;
    }
  }
  // In panic calls go to all endpoints rather than nowhere; with none admitted otherwise (all
  // busy probing, or pausing at their own request), to those not ejected, if any is not. With
  // every one ejected and no panic (`panicThreshold` 0 turns panic off, as Envoy's 0 does),
  // to none: the picker has no candidate and calls fail with NoEndpointsError until an
  // ejection ends.
  if (panic || admitted.length === 0) {
    if (!panic && notEjected === 0) return { candidates: [], taking, panic, levels: undefined };
    const all = panic || notEjected === pool.length ? pool : pool.filter((e) => e.health === undefined || e.health.status !== 'ejected');
    // Panic widens the candidates to ejected endpoints, not to ones pausing at their own request
    // (Retry-After), unless every one is.
    const unpaused = panic ? all.filter((e) => e.health === undefined || e.health.avoidUntil === 0) : all;
    return { candidates: unpaused.length > 0 ? unpaused : all, taking, panic, levels: undefined };
  }
  const routed = route(pool, admitted, options.routing, takesCalls);
  if (panicking === undefined) return { candidates: routed.candidates, taking, panic, levels: routed.levels };
  return { ...spreadPanicking(pool, routed, panicking), taking };
}

/** The priorities of `pool` (holding several) below `threshold` % of their endpoints taking calls. */
function prioritiesInPanic(pool: readonly LiveEndpoint[], threshold: number): { priorities: ReadonlySet<number> } {
  const counts = new Map<number, [total: number, taking: number]>();
  for (const e of pool) {
    let c = counts.get(e.priority);
    if (c === undefined) counts.set(e.priority, (c = [0, 0]));
    c[0]++;
    if (takesCalls(e)) c[1]++;
  }
  const priorities = new Set<number>();
  for (const [p, [total, taking]] of counts) if (taking * 100 < threshold * total) priorities.add(p);
  return { priorities };
}

/**
 * Per-priority panic over what `route` gave: each priority in `panicking` that has a share of
 * the calls takes it over all its endpoints (its zone levels merged into one, as Envoy routes
 * by zone only outside panic), ejected ones included, except those pausing at their own request
 * (Retry-After) unless every one of them is; the others keep their candidates. Panic is
 * reported when some priority with a share is spread so; one with no share (none of its
 * endpoints taking calls) stays without calls, as in Envoy.
 */
function spreadPanicking(
  pool: readonly LiveEndpoint[], routed: { candidates: readonly LiveEndpoint[]; levels: Levels | undefined }, panicking: ReadonlySet<number>,
): { candidates: readonly LiveEndpoint[]; panic: boolean; panicking?: ReadonlySet<number>; levels: Levels | undefined } {
  const { candidates, levels } = routed;
  if (levels === undefined) {
    // One level takes every call: one priority's (or one zone of it).
    const p = candidates[0]?.priority;
    if (p === undefined || !panicking.has(p)) return { candidates, panic: false, levels };
    return { candidates: allOf(pool, p), panic: true, panicking: new Set([p]), levels };
  }
  const shares: number[] = [];
  const members: (readonly LiveEndpoint[])[] = [];
  const merged = new Map<number, number>();
  for (let i = 0; i < levels.shares.length; i++) {
    const group = levels.members[i]!;
    const p = group[0]!.priority;
    if (!panicking.has(p)) {
      shares.push(levels.shares[i]!);
      members.push(group);
      continue;
    }
    const at = merged.get(p);
    if (at !== undefined) {
      shares[at]! += levels.shares[i]!;
      continue;
    }
    merged.set(p, shares.length);
    shares.push(levels.shares[i]!);
    members.push(allOf(pool, p));
  }
  if (merged.size === 0) return { candidates, panic: false, levels };
  const spread: LiveEndpoint[] = [];
  for (let i = 0; i < members.length; i++) {
    for (const e of members[i]!) {
      spread.push(e);
      if (e.health !== undefined) e.health.level = i;
    }
  }
  return { candidates: spread, panic: true, panicking: new Set(merged.keys()), levels: { shares, sizes: members.map((m) => m.length), members } };
}

/** The endpoints of priority `p` in `pool` not pausing at their own request, or all of them if every one is. */
function allOf(pool: readonly LiveEndpoint[], p: number): readonly LiveEndpoint[] {
  const all = pool.filter((e) => e.priority === p);
  const unpaused = all.filter((e) => e.health === undefined || e.health.avoidUntil === 0);
  return unpaused.length > 0 ? unpaused : all;
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
 * a probe). The retry stage waits no longer than this for `endpoint`'s Retry-After. `panic`:
 * `true` in total panic (every endpoint a candidate), the priorities spread over all their
 * endpoints in per-priority panic, `false` without panic.
 *
 * @example
 * const wait = Math.min(retryAfter, otherFreeAt(pool, endpoint, now, probes, panic) - now);
 */
export function otherFreeAt(pool: readonly LiveEndpoint[], endpoint: LiveEndpoint, now: number, probes: number, panic: boolean | ReadonlySet<number>): number {
  let at = Infinity;
  for (const e of pool) {
    if (e === endpoint) continue;
    const h = e.health;
    if (h === undefined) return now;
    // In panic every endpoint (of a panicking priority) is a candidate. Otherwise a healthy one,
    // or one real calls probe with room for a probe: probing, or ejected with its ejection over
    // (it turns probing as the next attempt starts).
    const probed = hasProbeRoom(h, probes) || (!h.checked && h.status === 'ejected' && h.until <= now);
    const spread = panic === true || (panic !== false && panic.has(e.priority));
    if (!spread && h.status !== 'healthy' && !probed) continue;
    if (h.avoidUntil <= now) return now;
    if (h.avoidUntil < at) at = h.avoidUntil;
  }
  return at;
}
