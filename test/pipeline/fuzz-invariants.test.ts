// The seeded pipeline fuzzer (bounded: a few hundred scenarios, at most 15 s; an outside review
// wrote it, and it found nothing this stop's reviews had not). FUZZ_SEEDS, FUZZ_FROM, FUZZ_MS
// and FUZZ_KNOBS widen a run; FUZZ_TRACE / FUZZ_DEBUG print a seed's timeline or summary. Each scenario
// mixes execute and fetch calls, per-call options, discovery changes, reconfigure and close()
// on a fake clock, then checks the invariants README's "Events", "stats()" and "close()" state.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../helpers/fuzz-scenario.js';

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 300);
const FROM = Number(process.env.FUZZ_FROM ?? 1);

describe('pipeline fuzz: invariants over seeded scenarios', () => {
  it(`holds over ${SEEDS} seeds`, async () => {
    const started = Date.now();
    const problems: string[] = [];
    for (let seed = FROM; seed < FROM + SEEDS && Date.now() - started < Number(process.env.FUZZ_MS ?? 15_000); seed++) problems.push(...await runScenario(seed, process.env.FUZZ_KNOBS ? JSON.parse(process.env.FUZZ_KNOBS) : {}));
    expect(problems.slice(0, 40)).toEqual([]);
  }, Number(process.env.FUZZ_MS ?? 15_000) + 15_000);
});
