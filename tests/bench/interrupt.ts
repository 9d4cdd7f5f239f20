/**
 * How long an interrupt takes, from `POST /interrupt` to the job's `execution_interrupted`, on a real
 * `inkgraph serve` process with the shipped model: (a) a 64×64 batch of 4096 (8192 UNet rows a step, which
 * used to be one call of ~130 s), (b) one VAE decode of a 2048×2048 latent-sized image (a single onnxruntime
 * call of several seconds: the worker is abandoned after the 1 s grace). Each is interrupted a little after its
 * node starts. Run: npm run bench:interrupt
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApiPrompt } from '../../shared/workflow.js';
import { textToImage } from '../helpers/diffusion.js';
import { ServerProcess } from '../helpers/server-process.js';
import { postJson, TestSocket } from '../helpers/server.js';

const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'inkgraph-bench-interrupt-'));
const server = await ServerProcess.start({
  dataDir: join(scratch, 'data'),
  inputDir: join(scratch, 'input'),
  outputDir: join(scratch, 'output'),
  modelsDir: join(root, 'models'),
});

async function measure(
  label: string,
  prompt: ApiPrompt,
  node: string,
  socket: TestSocket,
  delayMs: number,
): Promise<void> {
  const queued = await postJson(`${server.url}/prompt`, { prompt, client_id: socket.clientId });
  if (queued.status !== 200)
    throw new Error(`${label}: POST /prompt answered ${queued.status}: ${JSON.stringify(queued.json)}`);
  const promptId = (queued.json as { prompt_id: string }).prompt_id;
  await socket.waitFor(
    (r) =>
      r.kind === 'json' &&
      r.message.type === 'executing' &&
      r.message.data.node === node &&
      r.message.data.prompt_id === promptId,
    120_000,
  );
  await new Promise((resolveDelay) => setTimeout(resolveDelay, delayMs));
  const asked = performance.now();
  await postJson(`${server.url}/interrupt`, {});
  await socket.waitFor(
    (r) => r.kind === 'json' && r.message.type === 'execution_interrupted' && r.message.data.prompt_id === promptId,
    300_000,
  );
  console.log(`  ${label}: interrupted ${(performance.now() - asked).toFixed(0)} ms after POST /interrupt`);
  await socket.waitForEnd(promptId);
  socket.received.length = 0;
}

try {
  const socket = await TestSocket.open(server.url, 'bench-interrupt');
  console.log('interrupt latency (inkgraph-emoji):');
  for (const delay of [300, 1500]) {
    await measure(
      `64×64 batch 4096, ${delay} ms into the sampler`,
      textToImage({ ckpt: 'inkgraph-emoji', size: 64, batch: 4096, steps: 20, cfg: 5 }),
      '3',
      socket,
      delay,
    );
  }
  const decode: ApiPrompt = {
    '1': { class_type: 'EmptyLatentImage', inputs: { width: 2048, height: 2048, batch_size: 1 } },
    '2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'inkgraph-emoji' } },
    '3': { class_type: 'VAEDecode', inputs: { samples: ['1', 0], vae: ['2', 2] } },
    '4': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } },
  };
  for (const delay of [100, 500])
    await measure(`one VAE decode call of 256×256 cells, ${delay} ms in`, decode, '3', socket, delay);
  socket.close();
} finally {
  await server.stop('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}
