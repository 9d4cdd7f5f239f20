/**
 * Text-to-image benchmark: a fixed ComfyUI text-to-image workflow through the real server and WebSocket, posted by
 * a client in its own thread (bench-client.ts).
 * Prints sampler steps per second, the ratio of wall time to the sum of raw `session.run` times (the engine,
 * previews and transport on top of the model), time from POST /prompt to the first preview frame, peak RSS.
 * Measured on the shipped model (64×64) and on a generated SD-shaped pipeline whose UNet costs ~6.5 ms per call.
 * Run: npm run bench
 */
import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExecutionResult } from '../../server/engine/engine-events.js';
import { writePipeline, fixtureVariants } from '../fixtures/make-diffusion-fixtures.js';
import { textToImage } from '../helpers/diffusion.js';
import { startTestServer } from '../helpers/server.js';
import type { BenchClientData, BenchClientReply, BenchClientRequest } from './bench-client.js';

const STEPS = 20;
const RUNS = 8;
const root = resolve(import.meta.dirname, '..', '..');
const shipped = join(root, 'models', 'diffusion', 'inkgraph-emoji');

const results = new Map<string, ExecutionResult>();
const finishedAt = new Map<string, number>();
const outsideEngine: number[] = [];
const server = await startTestServer({
  onFinished: (promptId, result) => {
    results.set(promptId, result);
    finishedAt.set(promptId, performance.timeOrigin + performance.now());
  },
});
writePipeline(join(server.dirs.modelsDir, 'diffusion', 'bench-sd'), {
  ...fixtureVariants[0]!,
  name: 'bench-sd',
  unetWidth: 160,
});
if (existsSync(shipped))
  cpSync(shipped, join(server.dirs.modelsDir, 'diffusion', 'inkgraph-emoji'), { recursive: true });

// The client runs in its own thread (tests/bench/bench-client.ts), as a real client runs in its own process.
const client = new Worker(new URL('../../server/thread-bootstrap.mjs', import.meta.url), {
  workerData: {
    entry: new URL('./bench-client.ts', import.meta.url).href,
    url: server.url,
    clientId: 'bench',
  } satisfies BenchClientData & { entry: string },
});
const replies: BenchClientReply[] = [];
let onReply: (() => void) | undefined;
client.on('message', (reply: BenchClientReply) => {
  replies.push(reply);
  onReply?.();
});
client.on('error', (error) => {
  replies.push({ type: 'failed', reason: error.message });
  onReply?.();
});
async function nextReply(): Promise<BenchClientReply> {
  while (replies.length === 0) await new Promise<void>((resolve) => (onReply = resolve));
  return replies.shift()!;
}
if ((await nextReply()).type !== 'ready') throw new Error('the bench client did not connect');

async function runOnce(
  ckpt: string,
  size: number,
  seed: number,
): Promise<{ wallMs: number; firstPreviewMs: number; result: ExecutionResult }> {
  const body = JSON.stringify({
    prompt: textToImage({ ckpt, seed, steps: STEPS, cfg: 7, size, prefix: 'bench' }),
    client_id: 'bench',
  });
  client.postMessage({ type: 'run', body } satisfies BenchClientRequest);
  const reply = await nextReply();
  if (reply.type !== 'done')
    throw new Error(reply.type === 'failed' ? reply.reason : 'the bench client answered out of turn');
  const result = results.get(reply.promptId)!;
  if (result.status === 'error') throw new Error(`run failed: ${JSON.stringify(result.failure)}`);
  if (result.status === 'interrupted') throw new Error(`run interrupted at #${result.interruptedAt.node}`);
  outsideEngine.push(finishedAt.get(reply.promptId)! - reply.postedAt - result.timing.totalMs);
  return {
    wallMs: reply.endedAt - reply.postedAt,
    firstPreviewMs: (reply.firstPreviewAt ?? Number.NaN) - reply.postedAt,
    result,
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(label: string, ckpt: string, size: number): Promise<void> {
  await runOnce(ckpt, size, 1);
  await runOnce(ckpt, size, 2);
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runOnce(ckpt, size, 100 + i));
  const wall = median(runs.map((r) => r.wallMs));
  const session = median(runs.map((r) => r.result.timing.sessionRunMs));
  const calls = runs[0]!.result.timing.sessionRuns;
  console.log(
    `${label}: ${size}×${size}, ${STEPS} steps euler/normal, CFG 7 (batched), ${RUNS} runs after 2 warm-up, medians:`,
  );
  console.log(
    `  wall time POST /prompt → executing null: ${wall.toFixed(1)} ms (${calls} session.run calls: ${session.toFixed(1)} ms)`,
  );
  console.log(`  sampler steps per second: ${(STEPS / (wall / 1000)).toFixed(1)}`);
  // Each run's wall time over its own session.run time, then the median: medians taken apart pair unlike runs.
  const ratios = runs.map((r) => r.wallMs / r.result.timing.sessionRunMs);
  console.log(
    `  wall / sum of session.run: median ${median(ratios).toFixed(3)} (runs: ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
  );
  const inNodes = median(runs.map((r) => r.result.timing.nodeRunMs - r.result.timing.sessionRunMs));
  const inEngine = median(runs.map((r) => r.result.timing.totalMs - r.result.timing.nodeRunMs));
  console.log(
    `  the rest: ${median(outsideEngine.splice(0)).toFixed(1)} ms outside the engine (HTTP, queue, worker hand-over, WebSocket), ` +
      `${inEngine.toFixed(1)} ms in the engine between nodes, ${inNodes.toFixed(1)} ms in nodes outside session.run (sampler, previews, PNG)`,
  );
  console.log(`  time to first preview frame: ${median(runs.map((r) => r.firstPreviewMs)).toFixed(1)} ms`);
}

if (existsSync(shipped)) await measure('Shipped model inkgraph-emoji', 'inkgraph-emoji', 64);
await measure('Synthetic SD-shaped pipeline (UNet ~6.5 ms per call)', 'bench-sd', 128);
await client.terminate();
await server.stop();
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
