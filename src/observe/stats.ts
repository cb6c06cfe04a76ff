import type { LiveEndpoint } from '../endpoints/endpoint.js';
import type { RetryBudget } from '../pipeline/budget.js';
import type { CallCounters } from './accounting.js';

/** One endpoint in a {@link ClientStats} snapshot. */
export interface EndpointStats {
  readonly id: string;
  readonly url: string;
  readonly weight: number;
  readonly priority: number;
  readonly zone: string | undefined;
  /** Attempts running now, plus the `bulwark/grpc` server and bidi streams open here: each counts until it ends. */
  readonly inflight: number;
  /** Peak-EWMA latency estimate in ms (0 before the first response). */
  readonly latency: number;
  /** Attempts that ended here, by how they were judged; with `inflight`, they add up to every attempt sent here plus the open streams. */
  readonly successes: number;
  readonly failures: number;
  /** Attempts cut short by the caller's abort, `close()` or a hedge that won elsewhere. */
  readonly cancelled: number;
  /** Failures since the last success; each counts as ≥ 1 s of latency from the second (with health tracking) or the first (without). */
  readonly failuresInARow: number;
  /** Passive health; `undefined` with `health: false`. */
  readonly health: EndpointHealthStats | undefined;
}

/** An endpoint's health in a {@link ClientStats} snapshot. */
export interface EndpointHealthStats {
  readonly status: 'healthy' | 'ejected' | 'probing';
  /** Times ejected since its last stable period (0 once it has been healthy as long as the longest ejection, `maxEjectionTime`). */
  readonly ejections: number;
  /** While ejected: ms until it is probed. */
  readonly nextProbeIn: number | null;
  /** While it pauses at its own request (`Retry-After`, gRPC pushback; at most `DEFAULTS.maxPause`): ms until it takes calls again. */
  readonly pausedFor: number | null;
}

/** What `client.stats()` returns: a plain object, safe to log or serialise (no secrets). */
export interface ClientStats {
  readonly name: string;
  readonly picker: string;
  readonly closed: boolean;
  readonly endpoints: readonly EndpointStats[];
  /** `succeeded` counts calls whose final outcome was a success; a fetch that resolved with a 503 counts as `failed`. */
  readonly calls: { readonly started: number; readonly succeeded: number; readonly failed: number; readonly inflight: number };
  /** Attempts started, hedges included. */
  readonly attempts: number;
  readonly retries: number;
  /** Retries refused because the retry budget was spent. */
  readonly budgetExhausted: number;
  /** Retries the budget allows right now; `null` when there is no budget. */
  readonly budgetRemaining: number | null;
  /** Hedges sent, and how many of them gave the call its answer. */
  readonly hedges: { readonly sent: number; readonly won: number };
  /** Whether too few endpoints are healthy, so calls go to all of them. */
  readonly panic: boolean;
  /** The service-level circuit breaker, or `null` without one; `rejected` counts calls it failed at once. */
  readonly circuit: { readonly state: 'closed' | 'open' | 'half-open'; readonly rejected: number } | null;
}

/** What a snapshot is made from. */
export interface StatsSource {
  readonly name: string;
  readonly pickerName: string;
  readonly endpoints: readonly LiveEndpoint[];
  readonly counters: CallCounters;
  readonly budget: RetryBudget | undefined;
  readonly now: number;
  readonly closed: boolean;
  readonly panic: boolean;
  readonly circuit: ClientStats['circuit'];
  /** The longest ejection (`health.maxEjectionTime`): a stable period that long forgets past ejections. */
  readonly maxEjectionTime: number;
}

/** Builds a snapshot of a client's state. */
export function stats(s: StatsSource): ClientStats {
  const c = s.counters;
  return {
    name: s.name,
    picker: s.pickerName,
    closed: s.closed,
    endpoints: s.endpoints.map((e) => ({
      id: e.id, url: e.url, weight: e.weight, priority: e.priority, zone: e.zone, inflight: e.inflight,
      latency: round(e.latency.estimate(s.now)), successes: e.successes, failures: e.failures, cancelled: e.cancelled, failuresInARow: e.failuresInARow,
      health: e.health === undefined ? undefined : {
        status: e.health.status,
        ejections: e.health.ejectionsAt(s.now, s.maxEjectionTime),
        // null for one its checks ejected: it is back when they pass, not at a time.
        nextProbeIn: e.health.status === 'ejected' && e.health.until !== Infinity ? Math.max(0, round(e.health.until - s.now)) : null,
        pausedFor: e.health.avoidUntil > s.now ? round(e.health.avoidUntil - s.now) : null,
      },
    })),
    calls: { started: c.started, succeeded: c.succeeded, failed: c.failed, inflight: c.started - c.succeeded - c.failed },
    attempts: c.attempts,
    retries: c.retries,
    budgetExhausted: c.budgetExhausted,
    budgetRemaining: s.budget === undefined ? null : s.budget.remaining(s.now),
    hedges: { sent: c.hedges, won: c.hedgesWon },
    panic: s.panic,
    circuit: s.circuit,
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
