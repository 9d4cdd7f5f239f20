#!/usr/bin/env node
// Builds dist/: the command line, the server and their worker entries bundled by esbuild, so a start loads a few
// files instead of ~350 modules (tsc's output took ~0.3 s a thread just to load). Native addons stay external.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  'server/cli/main.ts',
  'server/worker/worker.ts',
  'server/media/media-worker.ts',
  'server/cli/memory-probe.ts',
];

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist',
  outbase: '.',
  bundle: true,
  // Commands load their modules when they run (main.ts imports them dynamically): each becomes its own chunk.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  external: ['onnxruntime-node', 'better-sqlite3', 'tsx', 'bullmq', 'ioredis'],
  // CommonJS dependencies (express) call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as inkgraphRequire } from 'node:module'; const require = inkgraphRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
