import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../media/png.js';
import { DEFAULT_IMAGE_LIMITS } from '../../media/image-limits.js';
import type { HistoryEntry, WsMessage } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { textToImage } from '../helpers/diffusion.js';
import { makeTestEnv } from '../helpers/env.js';
import { TestGates } from '../helpers/gates.js';
import { RedisServer } from '../helpers/redis-server.js';
import { ServerProcess, type ServerFolders } from '../helpers/server-process.js';
import { messageTypes, queueIds, waitForHistory } from '../helpers/server-jobs.js';
import { getJson, postJson, testPng, TestSocket } from '../helpers/server.js';
import { WorkerProcess } from '../helpers/worker-process.js';

/**
 * A cluster on loopback: Redis (with a password), a coordinator (`serve --redis`) with no models of its own, and
 * three `inkgraph worker` processes, one of which has a model the others lack. Jobs are mostly TestTimer nodes (steps
 * that wait on a timer, with a preview each), so the 2-core machine's load does not decide what is measured.
 */

const EMBEDDED = resolve(import.meta.dirname, '..', '..', 'models', 'diffusion', 'inkgraph-emoji');
const ONLY_ON_W3 = 'emoji-only-on-w3';
const STEPS = 5;
/** Long enough that a job seen at its first steps is still running when the test's kill reaches its worker. */
const LOAD_MS_PER_STEP = 100;

const env = makeTestEnv('inkgraph-cluster-');
const gates = new TestGates(env.root);
let redis: RedisServer;
let coordinator: ServerProcess;
const workers = new Map<string, WorkerProcess>();
const coordinatorFolders: ServerFolders = {
  dataDir: join(env.root, 'coordinator-data'),
  inputDir: env.inputDir,
  outputDir: env.outputDir,
  // Empty: every model is on the workers, and the coordinator's validation accepts what they advertise.
  modelsDir: env.modelsDir,
};

function modelsFolder(name: string, pipelines: readonly string[]): string {
  const dir = join(env.root, name, 'diffusion');
  mkdirSync(dir, { recursive: true });
  // Copies: a model folder's symlinks that lead out of it are refused (nodes/runtime/model-path.ts).
  for (const pipeline of pipelines) cpSync(EMBEDDED, join(dir, pipeline), { recursive: true });
  return join(env.root, name);
}

async function startWorker(id: string, models: string, concurrency = 1): Promise<WorkerProcess> {
  const worker = await WorkerProcess.start(
    id,
    [
      '--concurrency',
      String(concurrency),
      '--redis',
      redis.url,
      '--models',
      models,
      '--data',
      join(env.root, `worker-${id}`),
      '--preview-max-lag',
      '600000',
    ],
    gates.env,
  );
  workers.set(id, worker);
  return worker;
}

async function startCoordinator(): Promise<ServerProcess> {
  return ServerProcess.start(coordinatorFolders, ['--redis', redis.url], gates.env);
}

interface WorkersAnswer {
  mode: string;
  workers: { id: string; pid: number; state: string; jobs: { prompt_id: string }[]; heartbeat_age_ms: number }[];
}

async function listWorkers(): Promise<WorkersAnswer> {
  return (await getJson(`${coordinator.url}/api/workers`)).json as WorkersAnswer;
}

function timerPrompt(seed: number, prefix: string, steps = STEPS, msPerStep = 60): ApiPrompt {
  return {
    '1': { class_type: 'TestTimer', inputs: { seed, steps, ms_per_step: msPerStep, size: 16 } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix } },
  };
}

/** TestTimer's colour for a seed (nodes/testing/test-timer.ts). */
function seedColour(seed: number): [number, number, number] {
  return [(seed * 53) % 256, (seed * 97) % 256, (seed * 151) % 256];
}

async function queuePrompt(prompt: ApiPrompt, clientId?: string): Promise<string> {
  const response = await postJson(`${coordinator.url}/prompt`, {
    prompt,
    ...(clientId !== undefined ? { client_id: clientId } : {}),
  });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  return (response.json as { prompt_id: string }).prompt_id;
}

function promptIdOf(message: WsMessage): string | undefined {
  const data: unknown = 'data' in message ? message.data : undefined;
  return typeof data === 'object' && data !== null && 'prompt_id' in data && typeof data.prompt_id === 'string'
    ? data.prompt_id
    : undefined;
}

function imageOf(entry: HistoryEntry | undefined, node = '2'): { filename: string; subfolder: string; type: string } {
  const image = entry?.outputs[node]?.images?.[0];
  if (!image) throw new Error(`no image in ${JSON.stringify(entry?.outputs)}`);
  return image;
}

async function viewImage(ref: { filename: string; subfolder: string; type: string }): Promise<Uint8Array> {
  const query = new URLSearchParams({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type });
  const response = await fetch(`${coordinator.url}/view?${query.toString()}`);
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

beforeAll(async () => {
  redis = await RedisServer.start(join(env.root, 'redis'));
  coordinator = await startCoordinator();
  const shared = modelsFolder('models-shared', ['inkgraph-emoji']);
  const withExtra = modelsFolder('models-w3', ['inkgraph-emoji', ONLY_ON_W3]);
  // One at a time: each loads the registry and starts its engine thread, which is what the 2 cores are for.
  await startWorker('w1', shared);
  await startWorker('w2', shared);
  // Two engines: images from both (numbered in their own folders) must not overwrite one another.
  await startWorker('w3', withExtra, 2);
  writeFileSync(join(env.inputDir, 'cluster-input.png'), testPng(24, 16));
}, 240_000);

afterAll(async () => {
  for (const worker of workers.values()) await worker.stop('SIGKILL');
  await coordinator?.stop('SIGKILL');
  await redis?.stop();
  env.cleanup();
});

describe('a coordinator and three workers on Redis', () => {
  it('lists the workers with their state and heartbeat, and accepts the models only workers have', async () => {
    // Each worker's advert is in Redis before it says it takes jobs, and the route reads Redis.
    const answer = await listWorkers();
    expect(answer.mode).toBe('cluster');
    expect(answer.workers.map((worker) => worker.id).sort()).toEqual(['w1', 'w2', 'w3']);
    for (const worker of answer.workers) {
      expect(worker.state).toBe('idle');
      expect(worker.heartbeat_age_ms).toBeLessThan(5_000);
    }
    const stats = (await getJson(`${coordinator.url}/system_stats`)).json as { execution: WorkersAnswer };
    expect(stats.execution.workers.map((worker) => worker.id).sort()).toEqual(['w1', 'w2', 'w3']);
    const info = (await getJson(`${coordinator.url}/object_info/CheckpointLoaderSimple`)).json as {
      CheckpointLoaderSimple: { input: { required: { ckpt_name: [string[]] } } };
    };
    expect(info.CheckpointLoaderSimple.input.required.ckpt_name[0]).toEqual([ONLY_ON_W3, 'inkgraph-emoji'].sort());
    // A model no worker has is refused at the door, naming the node and the field.
    const refused = await postJson(`${coordinator.url}/prompt`, {
      prompt: textToImage({ ckpt: 'nowhere' }),
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('ckpt_name');
  });

  it('runs a job that needs a model only one worker has on that worker, and ships it the images it loads', async () => {
    const routed = await queuePrompt(textToImage({ ckpt: ONLY_ON_W3, steps: 4, prefix: 'routed' }));
    const loaded = await queuePrompt({
      '1': { class_type: 'LoadImage', inputs: { image: 'cluster-input.png' } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'loaded' } },
    });
    const entries = await waitForHistory(coordinator, [routed, loaded]);
    expect(entries[routed]?.status.status_str, JSON.stringify(entries[routed]?.status)).toBe('success');
    // Only w3 could run it: its own output folder has the image it made, the others' have none.
    expect(
      readdirSync(join(env.root, 'worker-w3', 'output'), { recursive: true }).some((name) =>
        String(name).includes('routed'),
      ),
    ).toBe(true);
    for (const id of ['w1', 'w2'])
      expect(safeList(join(env.root, `worker-${id}`, 'output')).some((name) => name.includes('routed'))).toBe(false);
    const routedPng = decodePng(await viewImage(imageOf(entries[routed], '9')), DEFAULT_IMAGE_LIMITS);
    expect(routedPng.ok && routedPng.value.raster.width).toBe(64);
    const loadedPng = decodePng(await viewImage(imageOf(entries[loaded])), DEFAULT_IMAGE_LIMITS);
    expect(loadedPng.ok && [loadedPng.value.raster.width, loadedPng.value.raster.height]).toEqual([24, 16]);
  });

  it('60 prompts from 10 clients: each hears only its own progress and one preview per step; a worker killed mid-job and the coordinator killed once lose nothing', async () => {
    const CLIENTS = 10;
    const PER_CLIENT = 6;
    const sockets = await Promise.all(
      Array.from({ length: CLIENTS }, (_, index) =>
        TestSocket.open(coordinator.url, `cluster-client-${index}`, {
          featureFlags: { supports_preview_metadata: true },
        }),
      ),
    );
    const seedOf = new Map<string, number>();
    const owner = new Map<string, number>();
    const owned = await Promise.all(
      sockets.map(async (socket, client) =>
        Promise.all(
          Array.from({ length: PER_CLIENT }, async (_, n) => {
            const seed = 100 + client * PER_CLIENT + n;
            const id = await queuePrompt(timerPrompt(seed, `load-${seed}`, STEPS, LOAD_MS_PER_STEP), socket.clientId);
            seedOf.set(id, seed);
            owner.set(id, client);
            return id;
          }),
        ),
      ),
    );
    const all = owned.flat();
    expect(new Set(all).size).toBe(CLIENTS * PER_CLIENT);

    // Once 10 have finished, kill -9 a worker that is running one.
    const ended = (socket: TestSocket): number =>
      socket
        .messages()
        .filter((message) => message.type === 'executing' && message.data.node === null && promptIdOf(message)).length;
    await Promise.all(sockets.map((socket) => socket.waitFor(() => ended(socket) >= 1, 120_000)));
    // A job its worker has begun to step through: a worker lists a job as soon as it takes it, before it has said
    // it started, and a job lost before that cannot be told apart from one no worker had begun.
    // Only an early step: the job must still be running when the kill lands, after the relay's lag and the
    // listing's round trip (a job that ends first leaves nothing to restart, and the test would prove nothing).
    const stepped = (promptId: string): boolean => {
      const heard = sockets[owner.get(promptId) ?? -1]
        ?.messages()
        .filter((message) => promptIdOf(message) === promptId);
      if (heard === undefined || heard.some((message) => message.type === 'executing' && message.data.node === null))
        return false;
      const values = heard.flatMap((message) => (message.type === 'progress' ? [message.data.value] : []));
      return values.length > 0 && Math.max(...values) <= 1;
    };
    let busy: WorkersAnswer['workers'][number] | undefined;
    await expect
      .poll(
        async () => {
          busy = (await listWorkers()).workers.find(
            (worker) => worker.id !== 'w3' && worker.jobs.some((job) => stepped(job.prompt_id)),
          );
          return busy !== undefined;
        },
        { timeout: 60_000, interval: 20 },
      )
      .toBe(true);
    const killedJob = busy!.jobs.find((job) => stepped(job.prompt_id))!.prompt_id;
    await workers.get(busy!.id)!.stop('SIGKILL');
    workers.delete(busy!.id);

    // Half way through the load (the killed worker's job may be running again on another, or waiting to), kill the
    // coordinator; the new one finds the runs in Redis and follows them to their end.
    const endedAll = (): number => sockets.reduce((sum, socket) => sum + ended(socket), 0);
    // Any socket's message may be the 30th end: wait on all of them, the first to see it wins.
    await Promise.race(sockets.map((socket) => socket.waitFor(() => endedAll() >= 30, 120_000).catch(() => undefined)));
    expect(endedAll()).toBeGreaterThanOrEqual(30);
    const before = new Set(
      sockets.flatMap((socket) =>
        socket
          .messages()
          .filter((message) => message.type === 'executing' && message.data.node === null)
          .flatMap((message) => promptIdOf(message) ?? []),
      ),
    );
    // The kill falls mid-load: some runs end only under the next coordinator.
    expect(before.size).toBeLessThan(all.length);
    await coordinator.stop('SIGKILL');
    for (const socket of sockets) socket.close();
    coordinator = await startCoordinator();

    const entries = await waitForHistory(coordinator, all, 180_000);
    const decoded = new Set<string>();
    for (const id of all) {
      const entry = entries[id];
      expect(entry?.status.status_str, `${id}: ${JSON.stringify(entry?.status)}`).toBe('success');
      const ref = imageOf(entry);
      decoded.add(ref.filename);
      const png = decodePng(await viewImage(ref), DEFAULT_IMAGE_LIMITS);
      expect(png.ok).toBe(true);
      if (png.ok) expect([...png.value.raster.data.subarray(0, 3)]).toEqual(seedColour(seedOf.get(id)!));
    }
    // Each prompt's image is its own file: none overwrote another's, from whichever worker it came.
    expect(decoded.size).toBe(all.length);
    // Exactly once: one history entry each, and the coordinator's output folder holds one image per prompt.
    const files = readdirSync(env.outputDir).filter((name) => name.startsWith('load-'));
    expect(files.length).toBe(all.length);
    const killedEntry = entries[killedJob]!;
    expect(messageTypes(killedEntry)).toContain('execution_restarted');
    expect(JSON.stringify(killedEntry.status.messages)).toContain(`worker ${busy!.id} was lost`);

    // Every run that began and ended before the coordinator's kill: its client heard only its own prompts, with a
    // progress message and a preview frame (naming the prompt and node) per step, in order.
    for (const [client, socket] of sockets.entries()) {
      const mine = new Set(owned[client]);
      expect(socket.invalid).toEqual([]);
      expect(socket.messages().filter((message) => promptIdOf(message) && !mine.has(promptIdOf(message)!))).toEqual([]);
      for (const id of owned[client]!) {
        if (!before.has(id) || id === killedJob) continue;
        const values = socket
          .messages()
          .filter((message) => message.type === 'progress' && message.data.prompt_id === id)
          .map((message) => (message.type === 'progress' ? message.data.value : -1));
        expect(values).toEqual([0, 1, 2, 3, 4, 5]);
        const frames = socket.received.filter(
          (received) =>
            received.kind === 'binary' && received.frame.event === 4 && received.frame.metadata.prompt_id === id,
        );
        expect(frames.length).toBe(STEPS);
      }
    }
  }, 400_000);

  it("interrupts a job on the worker running it; pause, front and delete act on the coordinator's queue", async () => {
    const socket = await TestSocket.open(coordinator.url, 'cluster-interrupt');
    const long = await queuePrompt(timerPrompt(7, 'long', 2_000, 50), socket.clientId);
    await socket.waitFor(
      (received) =>
        received.kind === 'json' && received.message.type === 'progress' && received.message.data.prompt_id === long,
      60_000,
    );
    expect((await postJson(`${coordinator.url}/interrupt`, { prompt_id: long })).status).toBe(200);
    const messages = await socket.waitForEnd(long).catch((error: unknown) => {
      const logs = [...workers.values()].map((worker) => `--- ${worker.id}\n${worker.log}`).join('\n');
      throw new Error(`${String(error).slice(0, 200)}\n--- coordinator\n${coordinator.log}\n${logs}`);
    });
    expect(messages.map((message) => message.type)).toContain('execution_interrupted');

    expect((await postJson(`${coordinator.url}/queue/pause`, {})).status).toBe(200);
    const held = await queuePrompt(timerPrompt(8, 'held'), socket.clientId);
    const deleted = await queuePrompt(timerPrompt(10, 'deleted'), socket.clientId);
    const first = (
      await postJson(`${coordinator.url}/prompt`, {
        prompt: timerPrompt(11, 'first'),
        client_id: socket.clientId,
        front: true,
      })
    ).json as { prompt_id: string };
    expect((await queueIds(coordinator)).pending).toEqual([first.prompt_id, held, deleted]);
    expect((await listWorkers()).workers.every((worker) => worker.jobs.length === 0)).toBe(true);
    expect((await postJson(`${coordinator.url}/queue`, { delete: [deleted] })).status).toBe(200);
    expect((await postJson(`${coordinator.url}/queue/resume`, {})).status).toBe(200);
    await socket.waitForEnd(held);
    await socket.waitForEnd(first.prompt_id);
    // `front` ran first, the deleted job never ran.
    const starts = socket
      .messages()
      .flatMap((message) => (message.type === 'execution_start' ? [message.data.prompt_id] : []));
    expect(starts.filter((id) => id !== long)).toEqual([first.prompt_id, held]);
    expect(readdirSync(env.outputDir).some((name) => name.startsWith('deleted'))).toBe(false);
    socket.close();
  }, 120_000);

  it('coordinator and workers reconnect after Redis restarts; a worker that lost Redis says so', async () => {
    await redis.restart();
    for (const worker of workers.values()) {
      await worker.waitForOutput(/lost Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
      await worker.waitForOutput(/Redis is back: taking jobs again/);
    }
    await coordinator.waitForOutput(/coordinator: Redis is back/);
    const after = await queuePrompt(timerPrompt(9, 'after-restart'));
    const entries = await waitForHistory(coordinator, [after]);
    expect(entries[after]?.status.status_str).toBe('success');
  }, 120_000);
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }).map(String);
  } catch {
    return [];
  }
}
