/**
 * The cluster's costs and gains, on loopback: (a) the relay's added latency — a job's first step preview and its end
 * (`executing null`), from `POST /prompt`, on an embedded `inkgraph serve` against a coordinator with one worker;
 * (b) throughput with 1, 2 and 3 workers. The workload is the TestTimer node (steps that wait on a timer, a preview
 * each): a real model would measure how 2 cores are shared between 3 processes, not whether the queue scales.
 * Run: npm run bench:cluster
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApiPrompt } from '../../shared/workflow.js';
import { TestGates } from '../helpers/gates.js';
import { RedisServer } from '../helpers/redis-server.js';
import { ServerProcess, type ServerFolders } from '../helpers/server-process.js';
import { postJson, TestSocket } from '../helpers/server.js';
import { WorkerProcess } from '../helpers/worker-process.js';

const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'inkgraph-bench-cluster-'));
const gates = new TestGates(scratch);
const LATENCY_RUNS = 60;
const THROUGHPUT_JOBS = 30;
let seed = 0;

function folders(name: string): ServerFolders {
  return {
    dataDir: join(scratch, name, 'data'),
    inputDir: join(scratch, name, 'input'),
    outputDir: join(scratch, name, 'output'),
    modelsDir: join(root, 'models'),
  };
}

function timerPrompt(steps: number, msPerStep: number): ApiPrompt {
  seed += 1;
  return {
    '1': { class_type: 'TestTimer', inputs: { seed, steps, ms_per_step: msPerStep, size: 64 } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'bench' } },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function queue(url: string, prompt: ApiPrompt, clientId: string): Promise<string> {
  const response = await postJson(`${url}/prompt`, { prompt, client_id: clientId });
  if (response.status !== 200) throw new Error(`POST /prompt: ${response.status} ${JSON.stringify(response.json)}`);
  return (response.json as { prompt_id: string }).prompt_id;
}

/** One run: ms from POST to the first preview frame, and to `executing null`. */
async function timedRun(url: string, socket: TestSocket): Promise<{ preview: number; end: number }> {
  socket.received.length = 0;
  const posted = performance.now();
  const id = await queue(url, timerPrompt(5, 10), socket.clientId);
  await socket.waitFor((r) => r.kind === 'binary' && r.frame.event === 4 && r.frame.metadata.prompt_id === id);
  const preview = performance.now() - posted;
  await socket.waitForEnd(id);
  return { preview, end: performance.now() - posted };
}

/**
 * Sequential runs on both servers, interleaved (local, cluster, local, …) so that the machine's drift weighs on
 * both alike; the first runs of each warm the engine threads and the JIT and are not counted.
 */
async function latency(
  localUrl: string,
  clusterUrl: string,
): Promise<{ local: { preview: number; end: number }; cluster: { preview: number; end: number } }> {
  const flags = { featureFlags: { supports_preview_metadata: true } };
  const localSocket = await TestSocket.open(localUrl, 'latency-local', flags);
  const clusterSocket = await TestSocket.open(clusterUrl, 'latency-cluster', flags);
  const runs = {
    local: { preview: [] as number[], end: [] as number[] },
    cluster: { preview: [] as number[], end: [] as number[] },
  };
  for (let run = 0; run < LATENCY_RUNS + 5; run++) {
    for (const [side, url, socket] of [
      ['local', localUrl, localSocket],
      ['cluster', clusterUrl, clusterSocket],
    ] as const) {
      const timed = await timedRun(url, socket);
      if (run < 5) continue;
      runs[side].preview.push(timed.preview);
      runs[side].end.push(timed.end);
    }
  }
  localSocket.close();
  clusterSocket.close();
  return {
    local: { preview: median(runs.local.preview), end: median(runs.local.end) },
    cluster: { preview: median(runs.cluster.preview), end: median(runs.cluster.end) },
  };
}

/** All jobs queued at once; jobs per second from the first POST to the last job's end. */
async function throughput(url: string, label: string): Promise<number> {
  const socket = await TestSocket.open(url, `throughput-${label}`);
  const started = performance.now();
  const ids = await Promise.all(
    Array.from({ length: THROUGHPUT_JOBS }, () => queue(url, timerPrompt(10, 50), socket.clientId)),
  );
  for (const id of ids) await socket.waitForEnd(id);
  const seconds = (performance.now() - started) / 1000;
  socket.close();
  return THROUGHPUT_JOBS / seconds;
}

const started: { stop(signal: NodeJS.Signals): Promise<unknown> }[] = [];
let redis: RedisServer | undefined;
try {
  const local = await ServerProcess.start(folders('local'), [], gates.env);
  started.push(local);
  redis = await RedisServer.start(join(scratch, 'redis'));
  const coordinator = await ServerProcess.start(folders('coordinator'), ['--redis', redis.url], gates.env);
  started.push(coordinator);
  const startWorker = async (id: string): Promise<void> => {
    started.push(
      await WorkerProcess.start(id, ['--redis', redis!.url, '--data', join(scratch, `worker-${id}`)], gates.env),
    );
  };
  await startWorker('w1');
  const { local: embedded, cluster: relayed } = await latency(local.url, coordinator.url);
  await local.stop('SIGTERM');
  console.log(
    `relay latency (TestTimer, 5 steps × 10 ms, median of ${LATENCY_RUNS} sequential runs each, interleaved):`,
  );
  console.log(
    `  first preview: embedded ${embedded.preview.toFixed(1)} ms, coordinator + 1 worker ${relayed.preview.toFixed(1)} ms (+${(relayed.preview - embedded.preview).toFixed(1)} ms)`,
  );
  console.log(
    `  end of run:    embedded ${embedded.end.toFixed(1)} ms, coordinator + 1 worker ${relayed.end.toFixed(1)} ms (+${(relayed.end - embedded.end).toFixed(1)} ms)`,
  );

  console.log(`throughput (${THROUGHPUT_JOBS} jobs of 10 steps × 50 ms queued at once; 0.5 s of waiting each):`);
  const one = await throughput(coordinator.url, '1');
  console.log(`  1 worker:  ${one.toFixed(2)} jobs/s`);
  await startWorker('w2');
  const two = await throughput(coordinator.url, '2');
  console.log(`  2 workers: ${two.toFixed(2)} jobs/s (${(two / one).toFixed(2)}×)`);
  await startWorker('w3');
  const three = await throughput(coordinator.url, '3');
  console.log(`  3 workers: ${three.toFixed(2)} jobs/s (${(three / one).toFixed(2)}×)`);
} finally {
  for (const process of started.reverse()) await process.stop('SIGKILL').catch(() => undefined);
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
}
