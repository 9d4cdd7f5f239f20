// Loads a TypeScript worker (the engine's; the benchmark's client): registers tsx's loader inside this worker thread,
// then imports `workerData.entry`.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
