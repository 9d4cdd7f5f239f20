// Loads the TypeScript engine worker: registers tsx's loader inside this worker thread, then imports it.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
