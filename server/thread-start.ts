import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { COMPILED, PACKAGE_ROOT } from '../media/package-root.js';

/**
 * The entry modules other threads and processes start on, by their source path without extension. The build
 * (bin/build-server.js) bundles each to dist/<path>.js; the sources run <path>.ts through tsx.
 */
export type EntryModule = 'server/worker/worker' | 'server/media/media-worker' | 'server/cli/memory-probe';

/** The file that runs `entry` in this process's mode: the bundle when compiled, else the TypeScript source. */
export function entryPath(entry: EntryModule): string {
  return COMPILED ? join(PACKAGE_ROOT, 'dist', `${entry}.js`) : join(PACKAGE_ROOT, `${entry}.ts`);
}

/**
 * Starts a worker thread on `entry`. A source goes through thread-bootstrap.mjs, which registers tsx in the new
 * thread and imports `workerData.entry`; the worker reads the rest of `workerData` as given.
 */
export function startWorker(entry: EntryModule, workerData: object): Worker {
  const url = pathToFileURL(entryPath(entry));
  if (COMPILED) return new Worker(url, { workerData });
  return new Worker(join(PACKAGE_ROOT, 'server', 'thread-bootstrap.mjs'), {
    workerData: { ...workerData, entry: url.href },
  });
}

/** The arguments after `node` that run `entry` as a script in a new process. */
export function scriptArguments(entry: EntryModule): string[] {
  return COMPILED ? [entryPath(entry)] : [join(PACKAGE_ROOT, 'bin', 'run-ts.js'), entryPath(entry)];
}
