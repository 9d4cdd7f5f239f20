import { parentPort, workerData } from 'node:worker_threads';
import { createRegistry } from '../../nodes/index.js';
import type { EngineEvent, EngineMessage, EngineRequest, EngineWorkerData } from '../engine/engine-events.js';
import { executePrompt, type CachedResult } from './executor.js';
import { heldBytes, LruCache } from './lru-cache.js';
import { ProgressBatcher } from './progress-batcher.js';
import { SharedCachesStore } from './shared-caches.js';
import { shareNativeCallState } from '../../nodes/runtime/onnx/session.js';
import { onExecutionProviderChoice, setExecutionProvider } from '../../nodes/runtime/onnx/execution-provider.js';
import { setThreadOverride } from '../../nodes/runtime/onnx/thread-options.js';
import { onThreadChoice } from '../../nodes/runtime/onnx/tuned-session.js';

/** The engine's worker thread: runs jobs one at a time, so model calls never block the server's event loop. */

const data = workerData as EngineWorkerData;
const port = parentPort;
if (!port) throw new Error('engine worker must run in a worker thread');

const registry = createRegistry();
shareNativeCallState(new Int32Array(data.nativeCallState));
const flag = new Int32Array(data.interruptFlag);
// Bounded in bytes as well as entries: one 16384² image is 3 GiB, and 256 of them would fill any machine.
const outputCache = new LruCache<string, CachedResult>(data.outputCacheSize, {
  maxBytes: data.cacheMemoryBytes,
  sizeOf: (result) => heldBytes(result.outputs),
});
const caches = new SharedCachesStore(data.maxModels);

/**
 * Every event the engine reports, in order, step progress in short bursts (progress-batcher.ts). Posted with no
 * transfer list: previews (pixels or latents) are small and copied; transferring their buffers made some posts far
 * slower than copying them.
 */
const events = new ProgressBatcher((event) => port.postMessage(event));
const post = (event: EngineEvent): void => events.post(event);

setThreadOverride(data.threads);
// Each session's threads, as chosen when it loads and as its calls' times change the choice, go to the server for
// /system_stats and its log.
onThreadChoice((choice) =>
  port.postMessage({
    type: 'session_threads',
    threads: {
      path: choice.path,
      threads: choice.chosen.threads,
      spinning: choice.chosen.spinning,
      how: choice.how,
      ...(choice.shape !== undefined ? { shape: choice.shape } : {}),
      timings: choice.timings.map((t) => ({ threads: t.options.threads, spinning: t.options.spinning, ms: t.ms })),
    },
  } satisfies EngineEvent),
);

setExecutionProvider(data.executionProvider ?? 'cpu');
// The provider the sessions got (the one asked for, or cpu when it could not start), for /system_stats and the log.
onExecutionProviderChoice((choice) =>
  port.postMessage({
    type: 'execution_provider',
    requested: choice.requested,
    active: choice.active,
    ...(choice.reason !== undefined ? { reason: choice.reason } : {}),
  } satisfies EngineMessage),
);

let queue = Promise.resolve();

port.on('message', (request: EngineRequest) => {
  queue = queue.then(async () => {
    if (request.type === 'execute') {
      const result = await executePrompt(request.job, {
        registry,
        env: data.env,
        outputCache,
        caches,
        memoryBudgetBytes: data.memoryBudgetBytes,
        isInterrupted: () => Atomics.load(flag, 0) === 1,
        emit: post,
      });
      post({ type: 'finished', promptId: request.job.promptId, result });
    } else if (request.type === 'free') {
      if (request.freeMemory) outputCache.clear();
      if (request.unloadModels || request.freeMemory) await caches.clear();
    }
  });
});
