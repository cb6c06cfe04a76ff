// Runs every examples/*.ts as a user would (`node examples/x.ts`, bulwark resolved from dist/),
// one at a time, each under a time limit. Prints a line per example and exits 1 if any failed.
//
//   npm run build && npm run examples            (all)
//   npm run examples -- ring-hash custom-picker  (those whose file name contains an argument)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const LIMIT_MS = 30_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = new URL('../examples/', import.meta.url);

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  console.error('dist/ is missing: the examples import bulwark by name, so run `npm run build` first.');
  process.exit(1);
}

const filters = process.argv.slice(2);
const files = (await readdir(dir))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no examples match ${filters.join(', ')}`);
  process.exit(1);
}

interface Result { readonly ok: boolean; readonly ms: number; readonly output: string; readonly why: string }

function run(file: string): Promise<Result> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(file, dir))], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const why = timedOut ? `did not exit within ${LIMIT_MS / 1000} s` : signal !== null ? `killed by ${signal}` : `exit code ${code}`;
      resolve({ ok: !timedOut && code === 0, ms, output, why });
    });
  });
}

let failed = 0;
const width = Math.max(...files.map((f) => f.length));
for (const file of files) {
  const r = await run(file);
  const seconds = `${(r.ms / 1000).toFixed(1)} s`.padStart(7);
  console.log(`${r.ok ? 'pass' : 'FAIL'}  ${file.padEnd(width)}  ${seconds}${r.ok ? '' : `  (${r.why})`}`);
  if (!r.ok) {
    failed++;
    // The failing example's own output is what explains the failure.
    console.log(r.output.replace(/^/gm, '      | ').trimEnd());
  }
}
console.log(`\n${files.length - failed}/${files.length} examples passed`);
process.exitCode = failed === 0 ? 0 : 1;
