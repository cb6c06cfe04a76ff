// The picker suite: pick() cost of every built-in picker at 10, 1 000 and 100 000 endpoints,
// and the cost of a one-endpoint change pushed through a client's discovery. Every
// picker × size runs in a fresh process (pickers-cases.ts), the cases alternated round robin
// over the rounds; the tables show the median over the rounds.
import { fileURLToPath } from 'node:url';
import { runJsonChildRetrying } from './child.ts';
import { PICKERS, SIZES, type PickerCaseResult } from './pickers-cases.ts';
import { median, round, table } from './stats.ts';

const CHILD = fileURLToPath(new URL('./pickers-cases.ts', import.meta.url));
/** A case that has not finished after this long is killed and counts as failed. */
const CASE_LIMIT_MS = 60_000;

export interface PickerSummary {
  picker: string;
  endpoints: number;
  /** Medians over the rounds; null when no round measured it. */
  pickNs: number | null;
  pickTried2Ns: number | null;
  addMs: number | null;
  removeMs: number | null;
  unchangedMs: number | null;
  firstCallMs: number | null;
  /** Every round's result, in order (failed rounds left out). */
  rounds: PickerCaseResult[];
}

export interface PickersResult {
  rounds: number;
  sizes: readonly number[];
  cases: PickerSummary[];
}

const med = (runs: PickerCaseResult[], key: keyof PickerCaseResult, digits: number): number | null => {
  const values = runs.flatMap((r) => (typeof r[key] === 'number' && Number.isFinite(r[key]) ? [r[key] as number] : []));
  return values.length === 0 ? null : round(median(values), digits);
};

export async function runPickers(options: { rounds: number; log: (line: string) => void }): Promise<PickersResult> {
  const cases = PICKERS.flatMap((picker) => SIZES.map((endpoints) => ({ picker, endpoints })));
  const runs = cases.map((): PickerCaseResult[] => []);
  for (let r = 1; r <= options.rounds; r++) {
    const started = performance.now();
    for (const [i, c] of cases.entries()) {
      const result = await runJsonChildRetrying<PickerCaseResult>(CHILD, [c.picker, String(c.endpoints)], CASE_LIMIT_MS, options.log);
      if (result) runs[i]!.push(result);
    }
    options.log(`  pickers round ${r}/${options.rounds}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return {
    rounds: options.rounds,
    sizes: SIZES,
    cases: cases.map((c, i) => {
      const rs = runs[i]!.map((x) => ({
        ...x,
        ...(x.pickNs === undefined ? {} : { pickNs: round(x.pickNs, 2), pickTried2Ns: round(x.pickTried2Ns ?? Number.NaN, 2) }),
        addMs: round(x.addMs, 4), removeMs: round(x.removeMs, 4), unchangedMs: round(x.unchangedMs, 4), firstCallMs: round(x.firstCallMs, 4),
      }));
      return {
        ...c,
        pickNs: med(rs, 'pickNs', 1), pickTried2Ns: med(rs, 'pickTried2Ns', 1),
        addMs: med(rs, 'addMs', 4), removeMs: med(rs, 'removeMs', 4), unchangedMs: med(rs, 'unchangedMs', 4), firstCallMs: med(rs, 'firstCallMs', 4),
        rounds: rs,
      };
    }),
  };
}

/** The targets for applying a change to a large set (issue 7, "Large sets"). */
const TARGET_AT = 100_000;
const TARGET_CHANGE_MS = 50;
const TARGET_RING_CHANGE_MS = 150;
const TARGET_UNCHANGED_MS = 20;

/** PASS or MISS for a case at the target size; '' for the others. */
function verdict(c: PickerSummary): string {
  if (c.endpoints !== TARGET_AT || c.addMs === null || c.removeMs === null || c.unchangedMs === null) return '';
  const change = c.picker === 'ringHash' ? TARGET_RING_CHANGE_MS : TARGET_CHANGE_MS;
  return Math.max(c.addMs, c.removeMs) <= change && c.unchangedMs <= TARGET_UNCHANGED_MS ? 'PASS' : 'MISS';
}

const ns = (v: number | null): string => (v === null ? 'n/a' : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US'));
const ms = (v: number | null): string =>
  v === null ? 'n/a' : v < 1 ? `${(v * 1000).toFixed(v < 0.01 ? 1 : 0)} µs` : `${v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')} ms`;
const size = (n: number): string => n.toLocaleString('en-US');

export function formatPickers(result: PickersResult): string {
  const byPicker = (picker: string, n: number): PickerSummary | undefined =>
    result.cases.find((c) => c.picker === picker && c.endpoints === n);
  const pickers = [...new Set(result.cases.map((c) => c.picker))];
  const header = ['ns/pick', ...result.sizes.map((n) => `${size(n)} eps`), ...result.sizes.map((n) => `${size(n)}, 2 tried`)];
  const pickRows: string[][] = [header];
  for (const p of pickers.filter((x) => x !== 'capture')) {
    const cells = result.sizes.map((n) => byPicker(p, n));
    pickRows.push([p, ...cells.map((c) => ns(c?.pickNs ?? null)), ...cells.map((c) => ns(c?.pickTried2Ns ?? null))]);
  }
  const updateRows: string[][] = [['picker', 'endpoints', 'add one', 'remove one', 'unchanged', 'first call after', 'picker share', 'target']];
  for (const n of result.sizes) {
    const base = byPicker('capture', n);
    for (const p of pickers) {
      const c = byPicker(p, n);
      if (!c) continue;
      const both = c.addMs !== null && c.removeMs !== null ? (c.addMs + c.removeMs) / 2 : null;
      const baseBoth = base?.addMs != null && base.removeMs != null ? (base.addMs + base.removeMs) / 2 : null;
      // Within 10 % of the registry's own time is within run-to-run noise.
      const diff = both === null || baseBoth === null ? null : both - baseBoth;
      const share = p === 'capture' ? '(registry)' : diff === null ? '' : Math.abs(diff) < 0.1 * baseBoth! ? '≈ 0' : ms(diff);
      updateRows.push([p, size(n), ms(c.addMs), ms(c.removeMs), ms(c.unchangedMs), ms(c.firstCallMs), share, verdict(c)]);
    }
  }
  return [
    `Picker cost: ns per pick() called directly on EndpointStates of a real client (ringHash with a key),`,
    `median of ${result.rounds} fresh processes per picker × size.`,
    '',
    table(pickRows),
    '',
    `One-endpoint change pushed through discovery (the full set plus one endpoint, then without it,`,
    `then the same set again), each push a fresh array of fresh strings, through a default client`,
    `(health tracking on): time of the adapter's update() call; "capture" is a picker that only keeps`,
    `the list, so its time is the registry's and health tracking's; "picker share" is the mean of add`,
    `and remove minus capture's (≈ 0: within 10 %). Targets at ${size(TARGET_AT)} endpoints: a change`,
    `≤ ${TARGET_CHANGE_MS} ms (≤ ${TARGET_RING_CHANGE_MS} ms with ringHash), an unchanged set ≤ ${TARGET_UNCHANGED_MS} ms.`,
    '',
    table(updateRows),
  ].join('\n');
}
