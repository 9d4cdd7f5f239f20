// Loads a TypeScript worker when the sources run (tests, benchmarks, INKGRAPH_FROM_SOURCE=1; thread-start.ts decides):
// registers tsx's loader inside this worker thread, then imports `workerData.entry`. Compiled workers start directly.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
