// One picker at one endpoint-set size, alone in a fresh process (started by pickers.ts):
//
//   node bench/pickers-cases.ts <picker> <endpoints>   → prints one line of JSON (a PickerCaseResult)
//
// 1. Pick cost: the EndpointState objects of a real client (caught by a capturing picker) are
//    handed to a fresh built-in picker, whose pick() is then called in a timed loop, with no
//    endpoint tried and with 2 tried.
// 2. Update cost: a client using that picker (default options: health tracking on) gets its
//    endpoints from a discovery adapter that pushes the full set; the adapter pushes the set
//    plus one endpoint (add), then the set again (remove), then the same set once more
//    (unchanged), and each push is timed, with a no-op call after it so that picks happen.
//    Every push is a fresh array of fresh strings (made before the timer starts), as an adapter
//    makes them from each response: nothing is cheaper for being the same objects as last time.
// `capture` is the capturing picker alone: the registry's (and health tracking's) share of an update.
import type { EndpointState, Picker } from 'bulwark';

export const PICKERS = ['capture', 'roundRobin', 'random', 'weightedRoundRobin', 'leastRequest', 'peakEwma', 'ringHash'] as const;
export const SIZES = [10, 1_000, 100_000] as const;

export interface PickerCaseResult {
  picker: string;
  endpoints: number;
  /** Mean ns per pick() with an empty `tried` / with 2 tried endpoints; absent for `capture`. */
  pickNs?: number;
  pickTried2Ns?: number;
  picks?: number;
  /** Median ms of the discovery update call, adding one endpoint / removing it again / resending the same set. */
  addMs: number;
  removeMs: number;
  unchangedMs: number;
  /** Median ms of the first `execute(noop)` after an update (work a picker leaves for its first pick). */
  firstCallMs: number;
  updates: number;
}

const PICK_WARMUP_MS = 100;
const PICK_MEASURE_MS = 250;
const PICK_MAX = 50_000_000;
const UPDATE_MAX_CYCLES = 100;
const UPDATE_MAX_MS = 2_000;

/** Distinct loopback addresses (127.0.0.0/8); nothing is ever contacted. */
const address = (i: number): string => `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`;
const KEYS = Array.from({ length: 1024 }, (_, i) => `user-${i}`);
const noop = async (): Promise<number> => 1;

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Mean ns per pick over batches of 1 000 picks, for about `ms` (and at most PICK_MAX picks). */
function timePicks(picker: Picker, tried: readonly EndpointState[], keyed: boolean, ms: number): { ns: number; picks: number } {
  const request = { key: undefined as string | undefined, tried, now: performance.now() };
  let picks = 0;
  let missing = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms && picks < PICK_MAX) {
    request.now = performance.now();
    for (let i = 0; i < 1_000; i++) {
      if (keyed) request.key = KEYS[(picks + i) & 1023];
      if (picker.pick(request) === undefined) missing++;
    }
    picks += 1_000;
    elapsed = performance.now() - start;
  }
  if (missing > 0) throw new Error(`${picker.name} returned no endpoint ${missing} times`);
  return { ns: (elapsed * 1e6) / picks, picks };
}

export async function runPickerCase(name: string, n: number): Promise<PickerCaseResult> {
  const bulwark = await import('bulwark');
  const factories: Record<string, () => Picker> = {
    roundRobin: () => bulwark.roundRobin(), random: () => bulwark.random(), weightedRoundRobin: () => bulwark.weightedRoundRobin(),
    leastRequest: () => bulwark.leastRequest(), peakEwma: () => bulwark.peakEwma(), ringHash: () => bulwark.ringHash(),
  };
  const capture = (): Picker & { eps: readonly EndpointState[] } => ({
    name: 'capture', eps: [], update(e) { this.eps = e; }, pick() { return this.eps[0]; },
  });
  if (name !== 'capture' && !(name in factories)) throw new Error(`unknown picker ${name}; known: ${PICKERS.join(', ')}`);
  const urls = Array.from({ length: n }, (_, i) => address(i));
  const keyed = name === 'ringHash';
  const result: PickerCaseResult = { picker: name, endpoints: n, addMs: 0, removeMs: 0, unchangedMs: 0, firstCallMs: 0, updates: 0 };

  if (name !== 'capture') {
    const cap = capture();
    const capClient = bulwark.createClient({ name: 'bench-capture', discovery: urls, picker: cap });
    const picker = factories[name]!();
    picker.update(cap.eps);
    const tried2 = [cap.eps[0]!, cap.eps[1]!];
    timePicks(picker, [], keyed, PICK_WARMUP_MS);
    const plain = timePicks(picker, [], keyed, PICK_MEASURE_MS);
    timePicks(picker, tried2, keyed, PICK_WARMUP_MS);
    const tried = timePicks(picker, tried2, keyed, PICK_MEASURE_MS);
    Object.assign(result, { pickNs: plain.ns, pickTried2Ns: tried.ns, picks: plain.picks + tried.picks });
    await capClient.close();
  }

  let push: (endpoints: readonly string[]) => void = () => {};
  const client = bulwark.createClient({
    name: 'bench-pickers',
    discovery: { watch(update) { push = update; update(urls); return () => {}; } },
    picker: name === 'capture' ? capture() : factories[name]!(),
  });
  const call = (): Promise<number> => client.execute(noop, keyed ? { key: KEYS[result.updates & 1023] } : {});
  for (let i = 0; i < 100; i++) await call();
  const plus = [...urls, address(n)];
  /** A fresh copy of `set`: new strings, as JSON.parse makes them from a response. */
  const fresh = (set: readonly string[]): string[] => JSON.parse(JSON.stringify(set)) as string[];
  const add: number[] = [];
  const remove: number[] = [];
  const unchanged: number[] = [];
  const first: number[] = [];
  const started = performance.now();
  // Cycle 0 is warm-up; then cycles until UPDATE_MAX_MS or UPDATE_MAX_CYCLES.
  for (let cycle = 0; cycle <= UPDATE_MAX_CYCLES && (cycle < 2 || performance.now() - started < UPDATE_MAX_MS); cycle++) {
    for (const [set, into] of [[plus, add], [urls, remove], [urls, unchanged]] as const) {
      const copy = fresh(set);
      const t0 = performance.now();
      push(copy);
      const t1 = performance.now();
      await call();
      const t2 = performance.now();
      if (cycle > 0) {
        into.push(t1 - t0);
        if (into !== unchanged) first.push(t2 - t1);
      }
    }
    if (cycle > 0) result.updates += 3;
  }
  const held = client.endpoints().length;
  await client.close();
  if (held !== n) throw new Error(`expected ${n} endpoints after the updates, got ${held}`);
  return { ...result, addMs: medianOf(add), removeMs: medianOf(remove), unchangedMs: medianOf(unchanged), firstCallMs: medianOf(first) };
}

if (import.meta.main) {
  const result = await runPickerCase(process.argv[2] ?? '', Number(process.argv[3] ?? '10'));
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
