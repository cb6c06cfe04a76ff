// The load loop and what it records: one latency per request, measured by the caller around
// the whole call (retries and body included), so both phases are judged the same way.
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadOptions {
  readonly concurrency: number;
  readonly duration: number;
  /** Requests started per second, shared by all workers. */
  readonly rate: number;
  /** One request; resolves true when it succeeded (2xx). A rejection counts as a failure. */
  readonly call: (i: number) => Promise<boolean>;
  readonly signal: AbortSignal;
}

/** Latencies of finished requests, kept whole so the percentiles are exact. */
export class Recorder {
  #latencies = new Float64Array(1 << 16);
  #count = 0;
  #failed = 0;
  readonly startedAt = performance.now();
  #rates: Array<{ at: number; done: number }> = [{ at: this.startedAt, done: 0 }];

  record(latency: number, ok: boolean): void {
    if (this.#count === this.#latencies.length) {
      const bigger = new Float64Array(this.#latencies.length * 2);
      bigger.set(this.#latencies);
      this.#latencies = bigger;
    }
    this.#latencies[this.#count++] = latency;
    if (!ok) this.#failed++;
  }

  get done(): number {
    return this.#count;
  }

  get failed(): number {
    return this.#failed;
  }

  get successRate(): number {
    return this.#count === 0 ? 1 : (this.#count - this.#failed) / this.#count;
  }

  /** Percentiles (nearest rank) over every request so far; `qs` in 0..1. */
  percentiles(qs: readonly number[]): number[] {
    const sorted = this.#latencies.slice(0, this.#count).sort();
    return qs.map((q) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0));
  }

  /** Requests per second over about the last second; call it once per view tick. */
  recentRate(): number {
    const now = performance.now();
    this.#rates.push({ at: now, done: this.#count });
    while (this.#rates.length > 2 && now - this.#rates[1]!.at >= 1_000) this.#rates.shift();
    const first = this.#rates[0]!;
    return now - first.at < 1 ? 0 : ((this.#count - first.done) * 1_000) / (now - first.at);
  }

  /** Mean throughput over the phase so far. */
  overallRate(): number {
    const elapsed = performance.now() - this.startedAt;
    return elapsed <= 0 ? 0 : (this.#count * 1_000) / elapsed;
  }
}

/**
 * Runs `concurrency` workers that start requests on a fixed schedule (`rate` per second for
 * `duration` ms) and wait when all are busy, so every caller is asked for the same requests
 * at the same pace; a caller that falls behind takes longer instead of doing fewer. Requests
 * still running at the end are awaited and counted, not abandoned.
 */
export async function runLoad(options: LoadOptions, recorder: Recorder): Promise<void> {
  const total = Math.round((options.duration / 1000) * options.rate);
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total && !options.signal.aborted) {
      const i = next++;
      const wait = start + (i * 1000) / options.rate - performance.now();
      if (wait >= 1) await sleep(wait);
      if (options.signal.aborted) return;
      const started = performance.now();
      let ok = false;
      try {
        ok = await options.call(i);
      } catch {
        ok = false;
      }
      recorder.record(performance.now() - started, ok);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

/**
 * Sends `count` requests round robin over `urls` and forgets them. Run once before the first
 * phase so neither caller pays for a cold process (JIT, first connections): a long-lived
 * service is warm, and a latency-aware picker would remember cold-start spikes for seconds.
 */
export async function warmUp(urls: readonly string[], count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const res = await fetch(`${urls[next++ % urls.length]}/warm-up`).catch(() => undefined);
      await res?.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
