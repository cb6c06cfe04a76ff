import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { describe } from 'vitest';

/** A server binary the real-server tests run, and the Debian package that installs it. */
export interface Binary {
  /** Absolute path, or `undefined` when it is not installed. */
  readonly path: string | undefined;
  /** What to run to install it. */
  readonly install: string;
}

/**
 * Finds `file` among `candidates` (absolute paths). Outside CI, a missing binary skips the
 * tests that need it with a message saying how to install it; under `CI=true` it fails them.
 *
 * @example
 * const etcd = findBinary('etcd', ['/usr/bin/etcd'], 'etcd-server');
 * describeWith(etcd, 'etcd discovery', () => { … });
 */
export function findBinary(file: string, candidates: readonly string[], debianPackage: string): Binary {
  const path = candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return { path, install: `${file} is not installed: apt-get update && apt-get install -y ${debianPackage}` };
}

/**
 * `describe` for tests that need `binary`: skipped with a how-to-install message when it is
 * missing, except under `CI=true`, where a missing binary fails the run.
 */
export function describeWith(binary: Binary, name: string, body: () => void): void {
  if (binary.path !== undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(binary.install);
    });
    return;
  }
  console.warn(`skipping "${name}": ${binary.install}`);
  describe.skip(name, body);
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
