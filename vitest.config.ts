import { configDefaults, defineConfig } from 'vitest/config';

// `npm test` runs the fast suite; `npm run test:slow` (CI runs both) the tests that are slow for a real reason:
// killing and restarting server processes, filling a disk, driving Chromium, prompts of 100,000 nodes.
const SLOW = ['tests/e2e/**/*.test.ts', 'tests/**/*.slow.test.ts'];
const slowSuite = process.env.INKGRAPH_TEST_SUITE === 'slow';

export default defineConfig({
  test: {
    include: slowSuite ? SLOW : ['tests/**/*.test.ts'],
    exclude: slowSuite ? configDefaults.exclude : [...configDefaults.exclude, ...SLOW],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Commands the tests spawn (bin/inkgraph.js) run the working tree's sources, not a dist/ built before an edit.
    env: { INKGRAPH_FROM_SOURCE: '1' },
    pool: 'forks',
    // Two cores: keep heavy integration files from starving each other.
    maxWorkers: 2,
  },
});
