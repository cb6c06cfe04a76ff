import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build-once.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Load tests measure traffic shares on real sockets: keep files from competing for the 2 cores.
    fileParallelism: false,
    // One worker runs every file in turn: a worker per file cost ≈ 0.2 s each (≈ 90 s a run over
    // 200 files). Tests restore what they change in the process (listeners, spies) themselves.
    isolate: false,
  },
});
