import { join } from 'node:path';
import type { NodeEnvironment } from '../../nodes/contract/node-context.js';
import { engineSettings, type ServerOptions } from '../options.js';
import { ClusterWorker } from './cluster-worker.js';

/**
 * `serve --redis URL --local-workers N`: a worker of the cluster inside the coordinator's process, with the
 * coordinator's models and its own input/output/temp folders (its images reach the coordinator's by the relay,
 * as any worker's do).
 */
export function localClusterWorker(options: ServerOptions, redisUrl: string, env: NodeEnvironment): ClusterWorker {
  const own = join(options.dataDir, 'local-worker');
  return new ClusterWorker({
    redisUrl,
    env: {
      ...env,
      inputDir: join(own, 'input'),
      outputDir: join(own, 'output'),
      tempDir: join(own, 'temp'),
    },
    concurrency: options.localWorkers,
    executionProvider: options.executionProvider,
    engine: engineSettings(options),
    id: `${options.host}-coordinator-${process.pid}`,
    previewMaxLagMs: options.previewMaxLagMs,
    log: options.log,
  });
}
