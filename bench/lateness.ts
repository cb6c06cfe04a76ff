// Deadline lateness: how long after its attempt deadline a call that never settles by itself
// actually rejects. The attempt function only honours its signal, so the rejection time is the
// deadline machinery's alone. Lateness = (rejection time − call start) − deadline, in ms.
import { createClient } from 'bulwark';
import { distribution, round, table, type Distribution } from './stats.ts';

const ENDPOINTS = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'];
/** Negative lateness within this much is performance.now() rounding, not an early deadline. */
const EARLY_TOLERANCE = 0.05;
const TARGET_P99 = 10;

/** Never settles on its own; rejects with the abort reason when the attempt's signal fires. */
const hang = (_endpoint: unknown, { signal }: { signal: AbortSignal }): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

export interface LatenessRow {
  deadline: number;
  mode: 'sequential' | 'concurrent' | 'all';
  lateness: Distribution;
  /** Any call that fired more than the tolerance before its deadline. */
  early: boolean;
}

export interface LatenessResult {
  calls: { sequential: number; concurrent: number; width: number };
  rows: LatenessRow[];
  /** How the calls ended, e.g. `TimeoutError/attempt: 600`; anything else is a finding. */
  outcomes: Record<string, number>;
  targetP99: number;
  pass: boolean;
}

type Client = ReturnType<typeof createClient>;

async function timeOne(client: Client, deadline: number, outcomes: Record<string, number>): Promise<number> {
  const start = performance.now();
  let kind: string;
  try {
    await client.execute(hang);
    kind = 'resolved (unexpected)';
  } catch (err) {
    const e = err as { name?: string; scope?: string };
    kind = `${e.name ?? typeof err}${e.scope ? `/${e.scope}` : ''}`;
  }
  const lateness = performance.now() - start - deadline;
  outcomes[kind] = (outcomes[kind] ?? 0) + 1;
  return lateness;
}

function row(deadline: number, mode: LatenessRow['mode'], values: number[]): LatenessRow {
  const lateness = distribution(values);
  const rounded = Object.fromEntries(Object.entries(lateness).map(([k, v]) => [k, k === 'count' ? v : round(v, 3)]));
  return { deadline, mode, lateness: rounded as unknown as Distribution, early: lateness.min < -EARLY_TOLERANCE };
}

export async function runLateness(options: {
  deadlines?: readonly number[];
  sequential?: number;
  concurrent?: number;
  width?: number;
  log: (line: string) => void;
}): Promise<LatenessResult> {
  const deadlines = options.deadlines ?? [5, 20, 100];
  const sequential = options.sequential ?? 100;
  const width = options.width ?? 50;
  const concurrent = Math.max(width, Math.round((options.concurrent ?? 100) / width) * width);
  const outcomes: Record<string, number> = {};
  const rows: LatenessRow[] = [];
  for (const deadline of deadlines) {
    const started = performance.now();
    const client = createClient({
      name: 'bench-lateness',
      discovery: ENDPOINTS,
      retry: false,
      timeout: { attempt: deadline, total: 10 * deadline },
    });
    // Warm-up calls (not recorded): the first calls also pay for compiling the call path.
    for (let i = 0; i < 5; i++) await timeOne(client, deadline, {});
    const seq: number[] = [];
    for (let i = 0; i < sequential; i++) seq.push(await timeOne(client, deadline, outcomes));
    const conc: number[] = [];
    for (let done = 0; done < concurrent; done += width) {
      conc.push(...(await Promise.all(Array.from({ length: width }, () => timeOne(client, deadline, outcomes)))));
    }
    await client.close();
    rows.push(row(deadline, 'sequential', seq), row(deadline, 'concurrent', conc), row(deadline, 'all', [...seq, ...conc]));
    options.log(`  lateness ${deadline} ms: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const pass = rows.every((r) => r.mode !== 'all' || (!r.early && r.lateness.p99 <= TARGET_P99));
  return { calls: { sequential, concurrent, width }, rows, outcomes, targetP99: TARGET_P99, pass };
}

export function formatLateness(result: LatenessResult): string {
  const { sequential, concurrent, width } = result.calls;
  const ms = (v: number): string => v.toFixed(2);
  const rows: string[][] = [['deadline', 'calls', 'n', 'min ms', 'p50 ms', 'p99 ms', 'max ms', 'check']];
  for (const r of result.rows) {
    const mode = r.mode === 'concurrent' ? `${width} at once` : r.mode;
    const l = r.lateness;
    const flags = [r.early ? 'EARLY' : '', r.mode === 'all' ? (l.p99 <= result.targetP99 ? 'PASS' : 'MISS') : ''];
    rows.push([`${r.deadline} ms`, mode, String(l.count), ms(l.min), ms(l.p50), ms(l.p99), ms(l.max), flags.filter(Boolean).join(' ')]);
  }
  const outcomes = Object.entries(result.outcomes).map(([k, v]) => `${k}: ${v}`).join(', ');
  return [
    `Deadline lateness: rejection time minus the attempt deadline (retry: false, total = 10 × attempt),`,
    `${sequential} sequential calls and ${concurrent} in batches of ${width} per deadline.`,
    `min must be ≥ 0 (EARLY flags any call > ${EARLY_TOLERANCE} ms early); target p99 ≤ ${result.targetP99} ms (PASS/MISS on "all").`,
    '',
    table(rows),
    '',
    `Outcomes: ${outcomes}`,
  ].join('\n');
}
