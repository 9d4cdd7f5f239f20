import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../media/png.js';
import { DEFAULT_IMAGE_LIMITS } from '../../media/image-limits.js';
import { makeTestEnv } from '../helpers/env.js';
import { TestGates } from '../helpers/gates.js';
import { RedisServer } from '../helpers/redis-server.js';
import { ServerProcess } from '../helpers/server-process.js';
import { waitForHistory } from '../helpers/server-jobs.js';
import { getJson, postJson } from '../helpers/server.js';

/** `serve --redis URL --local-workers 2`: a coordinator that is also its cluster's only worker. */

const env = makeTestEnv('inkgraph-local-workers-');
const gates = new TestGates(env.root);
let redis: RedisServer;
let server: ServerProcess;

beforeAll(async () => {
  redis = await RedisServer.start(join(env.root, 'redis'));
  server = await ServerProcess.start(
    { dataDir: join(env.root, 'data'), inputDir: env.inputDir, outputDir: env.outputDir, modelsDir: env.modelsDir },
    ['--redis', redis.url, '--local-workers', '2'],
    gates.env,
  );
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  await redis?.stop();
  env.cleanup();
});

describe('a coordinator with local workers', () => {
  it('lists its in-process worker (two engines) and runs jobs on it, with images in its output folder', async () => {
    const workers = (await getJson(`${server.url}/api/workers`)).json as {
      mode: string;
      workers: { id: string; concurrency: number }[];
    };
    expect(workers.mode).toBe('cluster');
    expect(workers.workers.map((worker) => worker.concurrency)).toEqual([2]);
    const ids = await Promise.all(
      [1, 2, 3].map(async (seed) => {
        const response = await postJson(`${server.url}/prompt`, {
          prompt: {
            '1': { class_type: 'TestTimer', inputs: { seed, steps: 3, ms_per_step: 20, size: 16 } },
            '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: `local-${seed}` } },
          },
        });
        expect(response.status).toBe(200);
        return (response.json as { prompt_id: string }).prompt_id;
      }),
    );
    const entries = await waitForHistory(server, ids);
    for (const id of ids) expect(entries[id]?.status.status_str).toBe('success');
    const files = readdirSync(env.outputDir).filter((name) => name.startsWith('local-'));
    expect(files.length).toBe(3);
    for (const file of files) {
      const response = await fetch(`${server.url}/view?filename=${encodeURIComponent(file)}&type=output`);
      const png = decodePng(new Uint8Array(await response.arrayBuffer()), DEFAULT_IMAGE_LIMITS);
      expect(png.ok && png.value.raster.width).toBe(16);
    }
  });
});
