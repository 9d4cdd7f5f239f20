/**
 * Engine overhead for a 50-node image workflow: time in the engine outside node `run` calls, per node,
 * measured both inside the worker and end to end through the server (POST /prompt → `executing null`).
 * Run: npm run bench
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ExecutionResult } from '../../server/engine/engine-events.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { rawText, startTestServer, testPng } from '../helpers/server.js';

const NODES = 50;
const RUNS = 30;

function fiftyNodeWorkflow(variant: number): ApiPrompt {
  const prompt: ApiPrompt = { '1': { class_type: 'LoadImage', inputs: { image: 'bench.png' } } };
  // A varying first scale means every run re-executes all nodes (nothing cached).
  prompt['2'] = {
    class_type: 'ImageScale',
    inputs: { image: ['1', 0], upscale_method: 'bilinear', width: 48 + variant, height: 64, crop: 'disabled' },
  };
  for (let id = 3; id < NODES; id++)
    prompt[String(id)] = { class_type: 'ImageInvert', inputs: { image: [String(id - 1), 0] } };
  prompt[String(NODES)] = { class_type: 'PreviewImage', inputs: { images: [String(NODES - 1), 0] } };
  return prompt;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const results = new Map<string, ExecutionResult>();
const server = await startTestServer({ onFinished: (promptId, result) => results.set(promptId, result) });
writeFileSync(join(server.dirs.inputDir, 'bench.png'), testPng(64, 64));
const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws?clientId=bench`);
await new Promise((resolve) => socket.once('open', resolve));
const ends = new Map<string, () => void>();
const ended = new Set<string>();
socket.on('message', (data, isBinary) => {
  if (isBinary) return;
  const message = JSON.parse(rawText(data)) as { type: string; data: { node?: string | null; prompt_id?: string } };
  if (message.type === 'executing' && message.data.node === null && message.data.prompt_id) {
    ended.add(message.data.prompt_id);
    ends.get(message.data.prompt_id)?.();
  }
});

const inWorker: number[] = [];
const endToEnd: number[] = [];
for (let run = 0; run < RUNS + 3; run++) {
  const started = performance.now();
  const response = await fetch(`${server.url}/prompt`, {
    method: 'POST',
    body: JSON.stringify({ prompt: fiftyNodeWorkflow(run), client_id: 'bench' }),
  });
  const { prompt_id: promptId } = (await response.json()) as { prompt_id: string };
  await new Promise<void>((resolve) => (ended.has(promptId) ? resolve() : ends.set(promptId, resolve)));
  const total = performance.now() - started;
  const result = results.get(promptId)!;
  // LoadImage's file is unchanged, so it is cached after the first run; every other node runs.
  if (result.status !== 'success' || result.timing.nodesRun < NODES - 1)
    throw new Error(`run ${run} did not run its nodes: ${JSON.stringify(result.timing)}`);
  if (run < 3) continue; // warm-up
  inWorker.push((result.timing.totalMs - result.timing.nodeRunMs) / result.timing.nodesRun);
  endToEnd.push((total - result.timing.nodeRunMs) / result.timing.nodesRun);
}
socket.close();
await server.stop();

const format = (values: number[]): string =>
  `median ${percentile(values, 50).toFixed(3)} ms, p95 ${percentile(values, 95).toFixed(3)} ms`;
console.log(
  `Engine overhead, ${NODES}-node image workflow (LoadImage → ImageScale → 47× ImageInvert → PreviewImage, 64×64), ${RUNS} runs:`,
);
console.log(`  per node, inside the engine worker (outside node run calls): ${format(inWorker)}`);
console.log(`  per node, end to end (POST /prompt → executing null, minus node run time): ${format(endToEnd)}`);
