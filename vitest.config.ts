import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The developer's own project, coder and colours must not leak into the tests.
    env: { QCODE_PROJECT: '', QCODE_CODER: '', NO_COLOR: '1', FORCE_COLOR: '0' },
    pool: 'forks',
  },
});
