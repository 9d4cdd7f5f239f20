#!/usr/bin/env node
// Runs the static checks of `npm test` (types, lint, import rules, format, the editor's build) two at a time, each
// check's output printed whole when it ends, and fails if any fails. Two lanes: CI machines have two cores.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const checks = [
  ['lint', 'eslint . --max-warnings 0'],
  ['typecheck', 'tsc --noEmit -p tsconfig.json && tsc --noEmit -p client/tsconfig.json'],
  ['import rules', 'depcruise shared media nodes server client/src bin tests --config .dependency-cruiser.cjs'],
  ['format', 'prettier --check --log-level warn .'],
  ['build:client', 'vite build --config client/vite.config.ts --logLevel warn'],
];

const lanes = Math.max(1, Math.min(2, availableParallelism()));
const failed = [];

function run([name, command]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const text = Buffer.concat(output).toString().trim();
      console.log(`${code === 0 ? '✓' : '✗'} ${name} (${seconds} s)${text && code !== 0 ? `\n${text}` : ''}`);
      if (code !== 0) failed.push(name);
      resolve();
    });
  });
}

const queue = [...checks];
await Promise.all(
  Array.from({ length: lanes }, async () => {
    for (let check = queue.shift(); check; check = queue.shift()) await run(check);
  }),
);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
