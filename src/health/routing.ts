import type { EndpointState } from '../endpoints/endpoint.js';

/** How calls are spread over priority levels and zones. */
export interface RoutingOptions {
  /** Endpoints in this zone are preferred within each priority; `undefined`: zones are ignored. */
  readonly localZone: string | undefined;
  /** A level takes calls up to its healthy share × this (Envoy's overprovisioning factor). */
  readonly overprovisioning: number;
}

/**
 * Priority and zone failover, as Envoy spreads load over priority levels: endpoints are
 * grouped into levels — by priority (0 first), and within a priority the local zone before the
 * others — and each level takes `min(100 %, healthy share × overprovisioning)` of the calls the
 * better levels left (normalised when all levels together are less than 100 % healthy). So
 * traffic stays on the best level while its healthy endpoints × 1.4 cover the load, and spills
 * to the next in proportion as it degrades.
 *
 * Returns the candidates (endpoints taking calls in levels that get a share) and sets on each
 * its `accept`: the probability that a pick landing on it stands, so that levels get their
 * share whatever the picker (the attempt stage picks again otherwise). `adjusting` is false when
 * one level takes everything.
 *
 * @example
 * const { candidates, adjusting } = route(registry.list, admitted, { localZone: 'eu-1a', overprovisioning: 1.4 });
 */
export function route(all: readonly EndpointState[], admitted: readonly EndpointState[], options: RoutingOptions): { candidates: readonly EndpointState[]; adjusting: boolean } {
  const level = (e: EndpointState): number => e.priority * 2 + (options.localZone !== undefined && e.zone !== options.localZone ? 1 : 0);
  // The usual case, one level (every endpoint at priority 0, zones ignored or all local): it
  // takes every call, as below, found without a map per endpoint (this runs on every update).
  if (oneLevel(all, level)) {
    for (const e of admitted) if (e.health !== undefined && e.health.accept !== 1) e.health.accept = 1;
    return { candidates: admitted, adjusting: false };
  }
  const totals = new Map<number, number>();
  for (const e of all) totals.set(level(e), (totals.get(level(e)) ?? 0) + 1);
  const taking = new Map<number, EndpointState[]>();
  for (const e of admitted) {
    const k = level(e);
    let group = taking.get(k);
    if (group === undefined) taking.set(k, (group = []));
    group.push(e);
  }
  const levels = [...totals.keys()].sort((a, b) => a - b);
  const loads = new Map<number, number>();
  let remaining = 1;
  let sum = 0;
  for (const k of levels) {
    const healthy = (taking.get(k)?.length ?? 0) / totals.get(k)!;
    const load = Math.min(remaining, Math.min(1, healthy * options.overprovisioning));
    remaining -= load;
    sum += load;
    if (load > 0) loads.set(k, load);
  }
  if (loads.size <= 1 || sum === 0) {
    for (const e of admitted) if (e.health !== undefined) e.health.accept = 1;
    const k = loads.keys().next().value;
    return { candidates: k === undefined ? admitted : taking.get(k)!, adjusting: false };
  }
  const candidates: EndpointState[] = [];
  for (const k of loads.keys()) candidates.push(...taking.get(k)!);
  // Each level's share of the calls over its share of the candidates: what a pick on it must keep.
  let max = 0;
  const ratio = new Map<number, number>();
  for (const [k, load] of loads) {
    const r = load / sum / (taking.get(k)!.length / candidates.length);
    ratio.set(k, r);
    if (r > max) max = r;
  }
  for (const e of candidates) if (e.health !== undefined) e.health.accept = ratio.get(level(e))! / max;
  return { candidates, adjusting: true };
}

/** Whether every endpoint of `all` is on the same level. */
function oneLevel(all: readonly EndpointState[], level: (e: EndpointState) => number): boolean {
  if (all.length === 0) return true;
  const first = level(all[0]!);
  for (let i = 1; i < all.length; i++) if (level(all[i]!) !== first) return false;
  return true;
}
