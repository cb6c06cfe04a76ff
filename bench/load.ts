// The closed-loop load both network suites put on their clients (http-cases.ts, grpc-cases.ts):
// N callers, each calling back to back; a warm-up that is not recorded, then a measured window.
import { percentileSorted } from './stats.ts';

export interface LoadWindow {
  /** Warm-up lasts at least this long ... */
  warmupMs: number;
  /** ... and at least this many calls (all callers together): on a busy machine a timed warm-up alone ends before the JIT has settled. */
  warmupCalls: number;
  /** The longest a warm-up runs past `warmupMs` to reach `warmupCalls`. */
  warmupLimitMs: number;
  measureMs: number;
  /** Per caller, whatever the time: keeps every loop bounded in count too. */
  maxCallsPerCaller: number;
}

/**
 * A suite's load window from its environment variables (a number, or unset for the default):
 * 500 ms of warm-up and at least `defaultWarmupCalls` calls, then 2 s measured.
 */
export function loadWindow(env: { measureMs: string | undefined; warmupMs: string | undefined; warmupCalls: string | undefined }, defaultWarmupCalls: number): LoadWindow {
  return {
    warmupMs: Number(env.warmupMs) || 500,
    warmupCalls: Number(env.warmupCalls) || defaultWarmupCalls,
    warmupLimitMs: 10_000,
    measureMs: Number(env.measureMs) || 2_000,
    maxCallsPerCaller: 1_000_000,
  };
}

export interface MeasuredLoad {
  /** Calls started in the measured window (and completed). */
  calls: number;
  p50: number;
  p99: number;
  /** CPU time (user + system, µs) the process spent per measured call; NaN when none was measured. */
  cpuPerCall: number;
}

/**
 * Runs `callers` loops of `call` for the warm-up and then `window.measureMs`; `recorded` sees
 * how each measured call ended: what it resolved with, or `threw`. Latency is from the call to
 * its settling.
 */
export async function measureLoad<R>(call: () => Promise<R>, callers: number, window: LoadWindow, recorded: (result: R | undefined, threw: boolean) => void): Promise<MeasuredLoad> {
  const latencies: number[] = [];
  const warmUntil = performance.now() + window.warmupMs;
  let warmed = 0;
  let measureStart = Number.POSITIVE_INFINITY;
  let end = Number.POSITIVE_INFINITY;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const caller = async (): Promise<void> => {
    for (let i = 0; i < window.maxCallsPerCaller; i++) {
      const t0 = performance.now();
      if (t0 >= end) return;
      let result: R | undefined;
      let threw = false;
      try {
        result = await call();
      } catch {
        threw = true;
      }
      if (t0 < measureStart) {
        const now = performance.now();
        if (measureStart === Number.POSITIVE_INFINITY && ((++warmed >= window.warmupCalls && now >= warmUntil) || now >= warmUntil + window.warmupLimitMs)) {
          measureStart = now;
          end = now + window.measureMs;
          cpuAtStart = process.cpuUsage();
        }
        continue;
      }
      latencies.push(performance.now() - t0);
      recorded(result, threw);
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  const cpu = cpuAtStart === undefined ? undefined : process.cpuUsage(cpuAtStart);
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    p50: percentileSorted(latencies, 50),
    p99: percentileSorted(latencies, 99),
    cpuPerCall: cpu === undefined || latencies.length === 0 ? Number.NaN : (cpu.user + cpu.system) / latencies.length,
  };
}
