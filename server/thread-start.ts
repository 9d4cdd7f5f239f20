import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { COMPILED, PACKAGE_ROOT } from '../media/package-root.js';

/**
 * The one place that knows how this process runs a module of its own given the URL of its TypeScript source (made
 * relative to the caller's `import.meta.url`, so a compiled caller's URL already points into dist/): compiled code
 * runs the `.js` beside it; the sources (tests, `INKGRAPH_FROM_SOURCE=1`) load TypeScript through tsx.
 */
export function runnableUrl(source: URL): URL {
  return COMPILED ? new URL(source.href.replace(/\.ts$/, '.js')) : source;
}

/**
 * Starts a worker thread on the module whose source is `source`. A source goes through thread-bootstrap.mjs, which
 * registers tsx in the new thread and imports `workerData.entry`; the worker reads the rest of `workerData` as given.
 */
export function startWorker(source: URL, workerData: object): Worker {
  if (COMPILED) return new Worker(runnableUrl(source), { workerData });
  return new Worker(new URL('./thread-bootstrap.mjs', import.meta.url), {
    workerData: { ...workerData, entry: source.href },
  });
}

/** The arguments after `node` that run the script whose source is `source` in a new process. */
export function scriptArguments(source: URL): string[] {
  return COMPILED
    ? [fileURLToPath(runnableUrl(source))]
    : [join(PACKAGE_ROOT, 'bin', 'run-ts.js'), fileURLToPath(source)];
}
