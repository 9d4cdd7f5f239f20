/**
 * Text-to-image benchmark: a fixed ComfyUI text-to-image workflow through the real server and WebSocket.
 * Prints sampler steps per second, the ratio of wall time to the sum of raw `session.run` times (the engine,
 * previews and transport on top of the model), time from POST /prompt to the first preview frame, peak RSS.
 * The model is a generated SD-shaped pipeline whose UNet costs a few ms per call (the shipped default model,
 * once trained, replaces it). Run: npm run bench
 */
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ExecutionResult } from '../../server/engine/engine-events.js';
import { writePipeline, fixtureVariants } from '../fixtures/make-diffusion-fixtures.js';
import { textToImage } from '../helpers/diffusion.js';
import { startTestServer } from '../helpers/server.js';

const STEPS = 20;
const RUNS = 8;
const SIZE = Number(process.env.BENCH_SIZE ?? 128);

const results = new Map<string, ExecutionResult>();
const server = await startTestServer({ onFinished: (promptId, result) => results.set(promptId, result) });
writePipeline(join(server.dirs.modelsDir, 'diffusion', 'bench-sd'), { ...fixtureVariants[0]!, name: 'bench-sd', unetWidth: 160 });

const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws?clientId=bench`);
await new Promise((resolve) => socket.once('open', resolve));
const ended = new Map<string, number>();
let firstFrameAt: number | undefined;
socket.on('message', (data, isBinary) => {
  if (isBinary) {
    firstFrameAt ??= performance.now();
    return;
  }
  const message = JSON.parse(data.toString()) as { type: string; data: { node?: string | null; prompt_id?: string } };
  if (message.type === 'executing' && message.data.node === null && message.data.prompt_id) ended.set(message.data.prompt_id, performance.now());
});

async function runOnce(seed: number): Promise<{ wallMs: number; firstPreviewMs: number; result: ExecutionResult }> {
  firstFrameAt = undefined;
  const started = performance.now();
  const response = await fetch(`${server.url}/prompt`, {
    method: 'POST',
    body: JSON.stringify({ prompt: textToImage({ ckpt: 'bench-sd', seed, steps: STEPS, cfg: 7, size: SIZE, prefix: 'bench' }), client_id: 'bench' }),
  });
  const { prompt_id: promptId } = (await response.json()) as { prompt_id: string };
  while (!ended.has(promptId)) await new Promise((resolve) => setTimeout(resolve, 1));
  const result = results.get(promptId)!;
  if (result.status !== 'success') throw new Error(`run failed: ${JSON.stringify(result.failure)}`);
  return { wallMs: ended.get(promptId)! - started, firstPreviewMs: firstFrameAt! - started, result };
}

await runOnce(1);
await runOnce(2);
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await runOnce(100 + i));
socket.close();
await server.stop();

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const wall = median(runs.map((r) => r.wallMs));
const session = median(runs.map((r) => r.result.timing.sessionRunMs));
const calls = runs[0]!.result.timing.sessionRuns;
console.log(`Text-to-image benchmark: ${SIZE}×${SIZE}, ${STEPS} steps euler/normal, CFG 7 (batched), ${RUNS} runs after 2 warm-up, medians:`);
console.log(`  wall time POST /prompt → executing null: ${wall.toFixed(1)} ms (${calls} session.run calls: ${session.toFixed(1)} ms)`);
console.log(`  sampler steps per second: ${(STEPS / (wall / 1000)).toFixed(1)}`);
console.log(`  wall / sum of session.run: ${(wall / session).toFixed(3)}`);
console.log(`  time to first preview frame: ${median(runs.map((r) => r.firstPreviewMs)).toFixed(1)} ms`);
console.log(`  peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
