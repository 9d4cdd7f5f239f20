/**
 * Soak benchmark: 200 generations on the shipped default model through a real `inkgraph serve` process, queued by
 * 10 WebSocket clients at once (each queues its next prompt when its last one finished). Prints the server
 * process's RSS at start, after 20 generations and at the end (growth after warm-up is the figure to watch), runs
 * per second, and p50/p95 time from POST /prompt to the prompt's `executing {node: null}`.
 * Run: npm run soak
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { textToImage } from '../helpers/diffusion.js';
import { ServerProcess } from '../helpers/server-process.js';
import { postJson, TestSocket } from '../helpers/server.js';

const GENERATIONS = Number(process.env.SOAK_GENERATIONS ?? 200);
const CLIENTS = 10;
const WARM_UP = 20;
const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'inkgraph-soak-'));

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

const server = await ServerProcess.start({
  dataDir: join(scratch, 'data'),
  inputDir: join(scratch, 'input'),
  outputDir: join(scratch, 'output'),
  modelsDir: join(root, 'models'),
});
try {
  const rssAtStart = rssMiB(server.pid);
  let finished = 0;
  let rssAfterWarmUp = NaN;
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, index) => TestSocket.open(server.url, `soak-${index}`)),
  );
  await Promise.all(
    clients.map(async (socket) => {
      while (next < GENERATIONS) {
        const seed = next++;
        const queuedAt = performance.now();
        const prompt = textToImage({
          ckpt: 'inkgraph-emoji',
          steps: 20,
          cfg: 5,
          seed,
          prefix: 'soak',
          positive: 'a small rocket on the left, blue background',
        });
        const response = await postJson(`${server.url}/prompt`, { client_id: socket.clientId, prompt });
        if (response.status !== 200)
          throw new Error(`POST /prompt answered ${response.status}: ${JSON.stringify(response.json)}`);
        await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
        latencies.push(performance.now() - queuedAt);
        // Keep only what the next wait needs: the socket would otherwise hold every message of the soak.
        socket.received.length = 0;
        finished += 1;
        if (finished === WARM_UP) rssAfterWarmUp = rssMiB(server.pid);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rssAtEnd = rssMiB(server.pid);
  for (const socket of clients) socket.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const percentile = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  const history = Object.keys((await (await fetch(`${server.url}/history`)).json()) as object).length;
  console.log(
    `soak: ${GENERATIONS} generations (inkgraph-emoji, 64×64, 20 euler steps, CFG 5, latent2rgb previews) by ${CLIENTS} concurrent clients`,
  );
  console.log(
    `  RSS at start ${rssAtStart.toFixed(1)} MiB, after ${WARM_UP} ${rssAfterWarmUp.toFixed(1)} MiB, at the end ${rssAtEnd.toFixed(1)} MiB (growth after warm-up ${(((rssAtEnd - rssAfterWarmUp) / rssAfterWarmUp) * 100).toFixed(1)}%)`,
  );
  console.log(`  ${(GENERATIONS / seconds).toFixed(2)} runs/s over ${seconds.toFixed(1)} s`);
  console.log(`  POST → result: p50 ${percentile(50).toFixed(0)} ms, p95 ${percentile(95).toFixed(0)} ms`);
  console.log(`  history entries on disk: ${history}`);
} finally {
  await server.stop('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}
