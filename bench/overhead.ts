// The per-call overhead suite: every case of overhead-cases.ts in a fresh process, the cases
// alternated round robin over R rounds (so drift in machine load hits them all alike), then
// the median per case, minus the raw-await median, and the ratios against the targets.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CASES, type CaseResult } from './overhead-cases.ts';
import { median, overheadRatioInterval, round, table } from './stats.ts';

const CHILD = fileURLToPath(new URL('./overhead-cases.ts', import.meta.url));

export interface CaseSummary {
  /** Median ns per call over the rounds (null: n/a). */
  median: number | null;
  /** Median minus its baseline's median (raw await, or raw with 1 000 in flight). */
  overhead: number | null;
  /** Every round's ns per call, in order. */
  rounds: number[];
  concurrency: number;
  baseline: string;
  na?: string;
}

export interface Ratio {
  name: string;
  value: number | null;
  /** `lt` a strict upper bound, `le` inclusive; absent: informational. */
  target?: { op: 'lt' | 'le'; bound: number };
  /** Whether the target is met; absent when informational or not computable. */
  pass?: boolean;
  /** Where the ratio lands in 95 % of resamplings of the rounds (stats.ts, `overheadRatioInterval`). */
  interval?: [number, number];
}

export interface OverheadResult {
  rounds: number;
  iterations: number;
  warmup: number;
  cases: Record<string, CaseSummary>;
  ratios: Ratio[];
}

function runChild(name: string): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    // process.execPath is the pinned Node running this script (npm puts node_modules/.bin first).
    const child = spawn(process.execPath, [CHILD, name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        const cause = err.split('\n').find((l) => /Error/.test(l)) ?? err.trim().split('\n')[0] ?? '';
        return reject(new Error(`case ${name} exited with ${code}: ${cause.trim()}`, { cause: err }));
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as CaseResult);
      } catch {
        reject(new Error(`case ${name} printed no result: ${out}`));
      }
    });
  });
}

/**
 * A failed child is run again (twice at most): a concurrent `npm run build` empties dist/ for a
 * moment. A case that keeps failing is reported as n/a, so that the other cases still report.
 */
async function runChildRetrying(name: string, log: (line: string) => void): Promise<CaseResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runChild(name);
    } catch (err) {
      log(`  ${(err as Error).message}${attempt < 3 ? '; running it again' : ''}`);
      if (attempt >= 3) return { case: name, na: 'failed', iterations: 0, warmup: 0, concurrency: CASES[name]!.concurrency };
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

const RATIOS: readonly { name: string; num: string; den: string; target?: Ratio['target'] }[] = [
  { name: 'bulwark / opossum', num: 'bulwark', den: 'opossum', target: { op: 'lt', bound: 0.5 } },
  { name: 'bulwark / p-retry', num: 'bulwark', den: 'p-retry', target: { op: 'le', bound: 1.5 } },
  { name: 'bulwark-hedge / bulwark', num: 'bulwark-hedge', den: 'bulwark', target: { op: 'le', bound: 1.1 } },
  { name: 'bulwark / bulwark-no-health', num: 'bulwark', den: 'bulwark-no-health', target: { op: 'le', bound: 1.1 } },
  // Clock reads left out (a counter instead): bulwark reads twice per call, p-retry once.
  { name: 'bulwark / p-retry, stepped clock', num: 'bulwark-stepped-clock', den: 'p-retry-stepped-clock' },
  { name: 'bulwark-4-clients / bulwark', num: 'bulwark-4-clients', den: 'bulwark' },
  { name: 'bulwark / cockatiel-wrap', num: 'bulwark', den: 'cockatiel-wrap' },
  { name: 'bulwark-c1000 / opossum-c1000', num: 'bulwark-c1000', den: 'opossum-c1000' },
  { name: 'bulwark-c1000 / p-retry-c1000', num: 'bulwark-c1000', den: 'p-retry-c1000' },
];

export async function runOverhead(options: {
  rounds: number;
  log: (line: string) => void;
}): Promise<OverheadResult> {
  const names = Object.keys(CASES);
  const results = new Map<string, CaseResult[]>(names.map((n) => [n, []]));
  for (let r = 1; r <= options.rounds; r++) {
    const started = performance.now();
    for (const name of names) results.get(name)!.push(await runChildRetrying(name, options.log));
    options.log(`  overhead round ${r}/${options.rounds}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const first = [...results.values()].flat().find((x) => x.nsPerCall !== undefined) ?? { iterations: 0, warmup: 0 };
  const cases: Record<string, CaseSummary> = {};
  for (const name of names) {
    const spec = CASES[name]!;
    const runs = results.get(name)!;
    const rounds = runs.flatMap((x) => (x.nsPerCall === undefined ? [] : [round(x.nsPerCall)]));
    // n/a only when no round measured it (a round that failed three times is left out).
    const na = rounds.length > 0 ? undefined : (runs.find((x) => x.na !== undefined)?.na ?? 'no result');
    cases[name] = {
      median: na === undefined ? round(median(rounds)) : null,
      overhead: null,
      rounds,
      concurrency: spec.concurrency,
      baseline: spec.baseline,
      ...(na === undefined ? {} : { na }),
    };
  }
  for (const summary of Object.values(cases)) {
    const base = cases[summary.baseline]?.median ?? null;
    if (summary.median !== null && base !== null) summary.overhead = round(summary.median - base);
  }
  const ratios = RATIOS.map(({ name, num, den, target }): Ratio => {
    const a = cases[num]?.overhead ?? null;
    const b = cases[den]?.overhead ?? null;
    const value = a === null || b === null || b <= 0 ? null : round(a / b, 3);
    const spread = value === null ? undefined : intervalOf(cases, num, den);
    const interval = spread === undefined ? {} : { interval: spread };
    if (!target) return { name, value, ...interval };
    if (value === null) return { name, value, target };
    return { name, value, target, pass: target.op === 'lt' ? value < target.bound : value <= target.bound, ...interval };
  });
  return { rounds: options.rounds, iterations: first.iterations, warmup: first.warmup, cases, ratios };
}

/** The 95 % resampling interval of `num`'s overhead over `den`'s, rounded for the results file. */
function intervalOf(cases: Record<string, CaseSummary>, num: string, den: string): [number, number] | undefined {
  const n = cases[num]!;
  const d = cases[den]!;
  const range = overheadRatioInterval(n.rounds, cases[n.baseline]!.rounds, d.rounds, cases[d.baseline]!.rounds);
  return range === undefined ? undefined : [round(range[0], 3), round(range[1], 3)];
}

const ns = (v: number | null): string => (v === null ? '' : v < 10_000 ? v.toFixed(0) : Math.round(v).toLocaleString('en-US'));

export function formatOverhead(result: OverheadResult): string {
  const rows: string[][] = [['case', 'in flight', 'ns/call', 'overhead ns', 'rounds min–max', '× raw']];
  for (const [name, c] of Object.entries(result.cases)) {
    if (c.median === null) {
      rows.push([name, String(c.concurrency), `n/a (${c.na})`, '', '', '']);
      continue;
    }
    const base = result.cases[c.baseline]?.median ?? null;
    const spread = `${ns(Math.min(...c.rounds))}–${ns(Math.max(...c.rounds))}`;
    const times = base ? `${(c.median / base).toFixed(1)}×` : '';
    rows.push([name, String(c.concurrency), ns(c.median), name === c.baseline ? '(baseline)' : ns(c.overhead), spread, times]);
  }
  const ratioRows: string[][] = [['overhead ratio', 'value', '95 % interval', 'target', 'check']];
  for (const r of result.ratios) {
    const target = r.target ? `${r.target.op === 'lt' ? '<' : '≤'} ${r.target.bound}` : '(info)';
    const range = r.interval === undefined ? '' : `${r.interval[0].toFixed(2)}–${r.interval[1].toFixed(2)}`;
    // A bound inside the interval: this run cannot tell a pass from a miss.
    const noisy = r.target !== undefined && r.interval !== undefined && r.interval[0] <= r.target.bound && r.target.bound <= r.interval[1];
    const verdict = r.pass === undefined ? '' : `${r.pass ? 'PASS' : 'MISS'}${noisy ? ' (within noise)' : ''}`;
    ratioRows.push([r.name, r.value === null ? 'n/a' : r.value.toFixed(2), range, target, verdict]);
  }
  return [
    `Per-call overhead over an awaited async no-op: median of ${result.rounds} fresh processes per case,`,
    `each ${result.iterations.toLocaleString('en-US')} calls after ${result.warmup.toLocaleString('en-US')} warm-up calls.`,
    '',
    table(rows),
    '',
    table(ratioRows),
    '',
    '95 % interval: where the ratio lands when the per-process figures are drawn again with replacement',
    '(2 000 resamplings); a target inside it is within this run\'s noise.',
  ].join('\n');
}
