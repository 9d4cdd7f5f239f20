import { configDefaults, defineConfig } from 'vitest/config';

// `npm test` runs the fast suite; `npm run test:slow` (CI runs both) the tests that are slow for a real reason:
// killing and restarting server processes, filling a disk, driving Chromium, prompts of 100,000 nodes; then, alone,
// the package suite: packing and installing the npm tarball (builds and a native compile that would starve Chromium).
const SLOW = ['tests/e2e/**/*.test.ts', 'tests/**/*.slow.test.ts'];
const PACKAGE = ['tests/**/*.package.test.ts'];
const suite = process.env.INKGRAPH_TEST_SUITE;
const include = suite === 'slow' ? SLOW : suite === 'package' ? PACKAGE : ['tests/**/*.test.ts'];
const exclude =
  suite === 'slow' || suite === 'package' ? configDefaults.exclude : [...configDefaults.exclude, ...SLOW, ...PACKAGE];

export default defineConfig({
  test: {
    include,
    exclude,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Commands the tests spawn (bin/inkgraph.js) run the working tree's sources, not a dist/ built before an edit.
    env: { INKGRAPH_FROM_SOURCE: '1' },
    pool: 'forks',
    // Two cores: keep heavy integration files from starving each other.
    maxWorkers: 2,
  },
});
