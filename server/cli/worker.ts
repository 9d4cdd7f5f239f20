import { rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_IMAGE_LIMITS } from '../../media/image-limits.js';
import { ClusterWorker } from '../cluster/cluster-worker.js';
import { redactUrl } from '../cluster/redis-connection.js';
import { defaultServerOptions } from '../options.js';
import type { WORKER_OPTIONS } from './commands.js';
import type { OptionValues } from './option-spec.js';

export type WorkerValues = OptionValues<typeof WORKER_OPTIONS>;

/** `inkgraph worker`: runs the cluster's jobs until SIGTERM or SIGINT, then finishes the running ones and leaves. */
export async function worker(values: WorkerValues): Promise<number> {
  const redisUrl = values.redis ?? process.env.INKGRAPH_REDIS_URL;
  if (!redisUrl) {
    console.error(
      'inkgraph worker: give --redis URL (or INKGRAPH_REDIS_URL): the Redis the coordinator queues jobs on',
    );
    return 2;
  }
  const defaults = defaultServerOptions();
  const id = values.id ?? `${hostname()}-${process.pid}`;
  const dataDir = values.data ? resolve(values.data) : join(tmpdir(), `inkgraph-worker-${id}`);
  // Its temp folder holds PreviewImage files of the runs it did: emptied at start, as the server's is.
  rmSync(join(dataDir, 'temp'), { recursive: true, force: true });
  const clusterWorker = new ClusterWorker({
    redisUrl,
    env: {
      modelsDir: values.models ? resolve(values.models) : defaults.modelsDir,
      inputDir: join(dataDir, 'input'),
      outputDir: join(dataDir, 'output'),
      tempDir: join(dataDir, 'temp'),
      imageLimits: DEFAULT_IMAGE_LIMITS,
    },
    concurrency: values.concurrency,
    executionProvider: values['execution-provider'],
    engine: {
      outputCacheSize: values['cache-size'],
      cacheMemoryBytes: defaults.cacheMemoryBytes,
      memoryBudgetBytes: values['max-memory'] ?? defaults.maxMemoryBytes,
      maxModels: values['max-models'],
      interruptGraceMs: defaults.interruptGraceMs,
      ...(values.threads !== undefined ? { threads: values.threads } : {}),
    },
    id,
    previewMaxLagMs: values['preview-max-lag'],
    log: (line) => console.log(line),
  });
  try {
    await clusterWorker.start();
  } catch (error) {
    console.error(
      `inkgraph worker: could not join the cluster at ${redactUrl(redisUrl)}: ${error instanceof Error ? error.message : String(error)}`,
    );
    await clusterWorker.close();
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((resolveStop) => {
    process.once('SIGINT', () => resolveStop('SIGINT'));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
  });
  console.log(`${signal}: taking no more jobs; finishing the running ones…`);
  await clusterWorker.close();
  return 0;
}
