import type { LiveEndpoint } from '../endpoints/endpoint.js';

/** How calls are spread over priority levels and zones. */
export interface RoutingOptions {
  /** Endpoints in this zone are preferred within each priority; `undefined`: zones are ignored. */
  readonly localZone: string | undefined;
  /** A level takes calls up to its healthy share × this (Envoy's overprovisioning factor). */
  readonly overprovisioning: number;
}

/** The levels calls are spread over, when there are several: what {@link drawLevel} draws from. */
export interface Levels {
  /** Each level's share of the calls (they add up to 1), best level first. */
  readonly shares: readonly number[];
  /** How many candidates each level holds. */
  readonly sizes: readonly number[];
  /** Each level's candidates: what a stateful picker's per-level copy rotates over (health/pick-shares.ts). */
  readonly members: readonly (readonly LiveEndpoint[])[];
}

/**
 * Priority and zone failover, as Envoy spreads load over priority levels: each priority takes
 * `min(100 %, healthy share × overprovisioning)` of the calls the better priorities left
 * (normalised when all together are less than 100 % healthy), its health counted over all its
 * zones. So traffic stays on priority 0 while its healthy endpoints × 1.4 cover the load, and
 * spills to the next in proportion as it degrades. With a `localZone`, a priority's share goes
 * to its local zone first, up to that zone's healthy share × overprovisioning, and the rest to
 * its other zones (all of it to whichever side alone takes calls). Calls are drawn over levels:
 * one per priority, split in two (local zone, others) with a `localZone`.
 *
 * Returns the candidates (endpoints taking calls in levels that get a share) and, when calls
 * are spread over several levels, their shares and members, with each candidate's `level` set
 * (every other endpoint's is -1): a pick then draws the level first, by its share (see
 * {@link drawLevel}; from the key's hash for a keyed ring hash call), and only a choice in it
 * stands, so that levels get their share whatever the picker proposes (uniformly, by weight,
 * by load): health/pick-shares.ts says how each picker chooses in the level.
 *
 * @example
 * const { candidates, levels } = route(registry.list, admitted, { localZone: 'eu-1a', overprovisioning: 1.4 }, takesCalls);
 */
export function route(
  all: readonly LiveEndpoint[], admitted: readonly LiveEndpoint[], options: RoutingOptions, takes: (e: LiveEndpoint) => boolean,
): { candidates: readonly LiveEndpoint[]; levels: Levels | undefined } {
  const level = levelOf(options);
  // The usual case, one level (every endpoint at priority 0, zones ignored or all local): it
  // takes every call, as below, found without a map per endpoint (this runs on every update).
  if (oneLevel(all, level)) return { candidates: admitted, levels: undefined };
  const totals = new Map<number, number>();
  const healthy = new Map<number, number>();
  for (const e of all) {
    const k = level(e);
    totals.set(k, (totals.get(k) ?? 0) + 1);
    if (takes(e)) healthy.set(k, (healthy.get(k) ?? 0) + 1);
  }
  const taking = new Map<number, LiveEndpoint[]>();
  for (const e of admitted) {
    const k = level(e);
    let group = taking.get(k);
    if (group === undefined) taking.set(k, (group = []));
    group.push(e);
  }
  const loads = levelLoads(totals, (k) => taking.get(k)?.length ?? 0, (k) => healthy.get(k) ?? 0, options.overprovisioning);
  let sum = 0;
  for (const load of loads.values()) sum += load;
  if (loads.size <= 1 || sum === 0) {
    const k = loads.keys().next().value;
    return { candidates: k === undefined ? admitted : taking.get(k)!, levels: undefined };
  }
  for (const e of all) if (e.health !== undefined) e.health.level = -1;
  const candidates: LiveEndpoint[] = [];
  const shares: number[] = [];
  const sizes: number[] = [];
  const members: LiveEndpoint[][] = [];
  for (const [k, load] of loads) {
    const group = taking.get(k)!;
    const i = shares.length;
    shares.push(load / sum);
    sizes.push(group.length);
    members.push(group);
    // One by one: spreading a level of 150 000 endpoints into push() overflows the stack.
    for (const e of group) {
      candidates.push(e);
      if (e.health !== undefined) e.health.level = i;
    }
  }
  return { candidates, levels: { shares, sizes, members } };
}

/**
 * Each level's load (levels that get none left out), best first: priorities in order, each
 * taking `min(remaining, its healthy share × overprovisioning)`, split between its local
 * level (`2p`) and its other-zone level (`2p + 1`) as {@link route} says.
 */
function levelLoads(
  totals: ReadonlyMap<number, number>, candidatesIn: (level: number) => number, healthyIn: (level: number) => number, overprovisioning: number,
): Map<number, number> {
  const priorities = [...new Set([...totals.keys()].map((k) => Math.floor(k / 2)))].sort((a, b) => a - b);
  const loads = new Map<number, number>();
  let remaining = 1;
  for (const p of priorities) {
    const [local, other] = [2 * p, 2 * p + 1];
    const total = (totals.get(local) ?? 0) + (totals.get(other) ?? 0);
    const takingLocal = candidatesIn(local);
    const takingOther = candidatesIn(other);
    // Health counts the endpoints that take calls, as the panic guard counts them: one pausing at
    // its own request (Retry-After) or probing with its probe slots busy is healthy, not ejected,
    // and must not move a share of the calls to the next priority (nor, beside candidates of its
    // own zone, to the other zone) while endpoints of its priority take them. A priority none of
    // whose endpoints is a candidate now takes none; a zone with none, no part of its priority's.
    const healthy = takingLocal + takingOther === 0 ? 0 : Math.max(takingLocal + takingOther, healthyIn(local) + healthyIn(other));
    const load = Math.min(remaining, Math.min(1, (healthy / total) * overprovisioning));
    if (load <= 0) continue;
    remaining -= load;
    const healthyLocal = Math.max(takingLocal, healthyIn(local));
    const localPart = takingOther === 0 ? 1 : takingLocal === 0 ? 0 : Math.min(1, (healthyLocal / totals.get(local)!) * overprovisioning);
    if (localPart > 0) loads.set(local, load * localPart);
    if (localPart < 1) loads.set(other, load * (1 - localPart));
  }
  return loads;
}

/**
 * The level a pick must land in: one drawn by its share (`r` uniform in [0, 1)), among the
 * levels with a candidate not in `tried` (a retry avoids those); -1 when every candidate was
 * tried (then any pick stands).
 *
 * @example
 * const target = drawLevel(levels, request.tried, random());
 * const keep = (e: LiveEndpoint) => (e.health?.level === target ? 1 : 0);
 */
export function drawLevel(levels: Levels, tried: readonly LiveEndpoint[], r: number): number {
  const { shares, sizes } = levels;
  let open = shares;
  if (tried.length > 0) {
    const left = sizes.slice();
    for (let j = 0; j < tried.length; j++) {
      const e = tried[j]!;
      const i = e.health?.level ?? -1;
      // Counted once however often it was tried.
      if (i >= 0 && tried.indexOf(e) === j) left[i]!--;
    }
    open = shares.map((share, i) => (left[i]! > 0 ? share : 0));
  }
  let total = 0;
  for (const share of open) total += share;
  if (total === 0) return -1;
  let x = r * total;
  for (let i = 0; i < open.length; i++) {
    x -= open[i]!;
    if (x < 0 && open[i]! > 0) return i;
  }
  // Rounding left a sliver past the last level: the last one open.
  for (let i = open.length - 1; i >= 0; i--) if (open[i]! > 0) return i;
  return -1;
}

/**
 * The endpoints of the most preferred priority in `pool` (the lowest number): what takes calls
 * without health tracking (`health: false`), where every endpoint counts as healthy and
 * priority 0 therefore takes every call (Envoy's rule; RFC 2782 for SRV priorities). `pool`
 * itself, not a copy, when it holds one priority. Run on each update, never per call.
 *
 * @example
 * updatePicker(name, picker, preferredPriority(registry.list));
 */
export function preferredPriority<E extends { readonly priority: number }>(pool: readonly E[]): readonly E[] {
  if (pool.length === 0) return pool;
  let lowest = pool[0]!.priority;
  let mixed = false;
  for (let i = 1; i < pool.length; i++) {
    const p = pool[i]!.priority;
    if (p !== lowest) {
      mixed = true;
      if (p < lowest) lowest = p;
    }
  }
  return mixed ? pool.filter((e) => e.priority === lowest) : pool;
}

/** Whether every endpoint of `all` is on the same level. */
function oneLevel(all: readonly LiveEndpoint[], level: (e: LiveEndpoint) => number): boolean {
  if (all.length === 0) return true;
  const first = level(all[0]!);
  for (let i = 1; i < all.length; i++) if (level(all[i]!) !== first) return false;
  return true;
}

/** An endpoint's level: by priority (0 first), and within a priority the local zone first. */
function levelOf(options: RoutingOptions): (e: LiveEndpoint) => number {
  return (e) => e.priority * 2 + (options.localZone !== undefined && e.zone !== options.localZone ? 1 : 0);
}

/**
 * Whether, with several priorities, the endpoints taking calls cover the whole load: Envoy's
 * normalized total health, the sum over priorities of min(100 %, taking share ×
 * overprovisioning), is 100 %. Envoy then disregards the panic threshold: a fully healthy
 * priority 0 next to a dead standby priority takes every call, rather than sending calls to all
 * endpoints, the dead ones included. False with one priority (zones are not failover levels:
 * the panic threshold applies as it is).
 *
 * @example
 * if (panic && levelsCoverLoad(pool, takesCalls, routing)) panic = false;
 */
export function levelsCoverLoad(all: readonly LiveEndpoint[], takes: (e: LiveEndpoint) => boolean, options: RoutingOptions): boolean {
  const priority = (e: LiveEndpoint): number => e.priority;
  if (oneLevel(all, priority)) return false;
  const totals = new Map<number, [total: number, taking: number]>();
  for (const e of all) {
    const counts = totals.get(e.priority) ?? [0, 0];
    counts[0]++;
    if (takes(e)) counts[1]++;
    totals.set(e.priority, counts);
  }
  let health = 0;
  for (const [total, taking] of totals.values()) health += Math.min(1, (taking / total) * options.overprovisioning);
  return health >= 1;
}
