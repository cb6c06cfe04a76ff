// bulwark's benchmarks: runs each suite, prints its table, and writes every number to
// bench/results/latest.json (and a dated copy with BENCH_SAVE=1).
//
//   npm run bench                       (builds first; bulwark is imported by name from dist/)
//   BENCH_ROUNDS=3 BENCH_ONLY=overhead npm run bench
//   BENCH_ONLY=pickers,http,grpc npm run bench   (their rounds: BENCH_PICKERS_ROUNDS, BENCH_HTTP_ROUNDS, BENCH_GRPC_ROUNDS; default 3, grpc 5)
//
// Benchmarks report, they do not assert: a missed target prints MISS, and the exit code stays 0.
// A suite is a file exporting run and format functions; add it to SUITES to run it here.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { formatGrpc, runGrpc } from './grpc.ts';
import { formatHttp, runHttp } from './http.ts';
import { formatLateness, runLateness } from './lateness.ts';
import { formatOverhead, runOverhead } from './overhead.ts';
import { formatPickers, runPickers } from './pickers.ts';

interface Suite {
  run: (log: (line: string) => void) => Promise<unknown>;
  format: (result: never) => string;
}

// The overhead suite runs 21 rounds. One process measures up to ±15 % off the next here (JIT
// decisions differ per process, and some run slower for a while). With 9 rounds a ratio's 95 %
// resampling interval spanned −10/+25 %; more rounds narrow it, down to the day's noise (25
// rounds: ±8–15 % on one run, 21 rounds ±12–20 % on a noisier hour).
const rounds = positiveInt(process.env.BENCH_ROUNDS, 21);
// The picker and HTTP suites take longer per round; 3 rounds keep the whole run within minutes.
const pickersRounds = positiveInt(process.env.BENCH_PICKERS_ROUNDS, 3);
const httpRounds = positiveInt(process.env.BENCH_HTTP_ROUNDS, 3);
const grpcRounds = positiveInt(process.env.BENCH_GRPC_ROUNDS, 5);

const SUITES: Record<string, Suite> = {
  overhead: { run: (log) => runOverhead({ rounds, log }), format: formatOverhead },
  lateness: { run: (log) => runLateness({ log }), format: formatLateness },
  pickers: { run: (log) => runPickers({ rounds: pickersRounds, log }), format: formatPickers },
  http: { run: (log) => runHttp({ rounds: httpRounds, log }), format: formatHttp },
  grpc: { run: (log) => runGrpc({ rounds: grpcRounds, log }), format: formatGrpc },
};

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Which code was measured: the git commit, whether src/ had changes, and a hash of the built dist/index.js. */
async function measuredCode(): Promise<{ commit: string; srcDirty: boolean | null; dist: string }> {
  const git = (...args: string[]): string | null => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const status = git('status', '--porcelain', '--', 'src');
  const dist = await readFile(new URL('../dist/index.js', import.meta.url)).catch(() => null);
  return {
    commit: git('rev-parse', '--short', 'HEAD') ?? 'unknown',
    srcDirty: status === null ? null : status !== '',
    dist: dist === null ? 'missing' : `sha256:${createHash('sha256').update(dist).digest('hex').slice(0, 12)}`,
  };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((name) => !(name in SUITES));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown suite ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  const selected = Object.keys(SUITES).filter((name) => only.length === 0 || only.includes(name));

  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const cpus = os.cpus();
  const date = new Date();
  const environment = {
    date: date.toISOString(),
    bulwark: pkg.version,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    ...(await measuredCode()),
  };
  console.log(`bulwark ${environment.bulwark} bench · Node ${environment.node} · ${environment.cpu} × ${environment.cpus}`);
  console.log(`commit ${environment.commit}${environment.srcDirty ? ' + uncommitted src/ changes' : ''}, dist/index.js ${environment.dist}`);
  console.log(`load average ${environment.loadavg.join(' ')} (numbers are only comparable on an idle machine)\n`);

  const results: Record<string, unknown> = {};
  const started = performance.now();
  for (const name of selected) {
    const suite = SUITES[name]!;
    log(`running ${name}…`);
    const result = await suite.run(log);
    results[name] = result;
    console.log(`${suite.format(result as never)}\n`);
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  // src/ may be rebuilt by someone else meanwhile; then the rounds did not all measure the same code.
  const distAfter = (await measuredCode()).dist;
  const distChanged = distAfter !== environment.dist;
  if (distChanged) console.log(`WARNING: dist/index.js changed during the run (now ${distAfter}): run again on a quiet tree\n`);

  const dir = new URL('./results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify({ ...environment, ...(distChanged ? { distAfter } : {}), seconds, rounds, results }, null, 2)}\n`;
  const files = [new URL('latest.json', dir)];
  if (process.env.BENCH_SAVE === '1') files.push(new URL(`bench-${date.toISOString().replace(/[:.]/g, '-')}.json`, dir));
  for (const file of files) await writeFile(file, json);
  console.log(`${seconds} s; results in ${files.map((f) => `bench/results/${f.pathname.split('/').at(-1)}`).join(' and ')}`);
}

await main();
