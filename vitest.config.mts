import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A clean, explicit AWS environment for every test file, whatever the shell holds.
    setupFiles: ['test/support/hermetic-env.ts'],
    // Integration tests start real HTTP servers (emulator, dynalite); give them room on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest defaults to cores - 1 workers: one on a 2-core machine. Files are mostly I/O-bound.
    maxWorkers: 2,
  },
});
