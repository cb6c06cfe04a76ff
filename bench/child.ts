// Runs one benchmark case in a fresh Node process and reads the one line of JSON it prints last.
import { spawn } from 'node:child_process';

/**
 * Starts `node <file> ...args` (process.execPath: the pinned Node running the bench) and
 * resolves with the JSON of its last stdout line. A child still running after `limitMs` is
 * killed, so a hung case cannot stall the run.
 */
export function runJsonChild<T>(file: string, args: readonly string[], limitMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const label = `${args.join(' ')}`;
      if (code !== 0) {
        const cause = err.split('\n').find((l) => /Error/.test(l)) ?? err.trim().split('\n')[0] ?? '';
        return reject(new Error(`case ${label} exited with ${code ?? signal}: ${cause.trim()}`, { cause: err }));
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as T);
      } catch {
        reject(new Error(`case ${label} printed no result: ${out.slice(0, 200)}`));
      }
    });
  });
}

/**
 * {@link runJsonChild}, run again (twice at most) when it fails: a concurrent `npm run build`
 * empties dist/ for a moment. Resolves with `undefined` when every attempt failed, so that the
 * other cases still report.
 */
export async function runJsonChildRetrying<T>(
  file: string, args: readonly string[], limitMs: number, log: (line: string) => void,
): Promise<T | undefined> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await runJsonChild<T>(file, args, limitMs);
    } catch (err) {
      log(`  ${(err as Error).message}${attempt < 3 ? '; running it again' : ''}`);
      if (attempt < 3) await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
  return undefined;
}
