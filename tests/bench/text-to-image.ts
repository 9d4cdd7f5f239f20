/**
 * Text-to-image benchmark: ComfyUI's default text-to-image graph through the real server and WebSocket, posted by a
 * client in its own thread (bench-client.ts), against the limit: a plain onnxruntime-node loop of the same model
 * calls (plain-loop.ts) in the same process, under each session option set it tries, measured in interleaved phases
 * (N server runs, then N runs of each option set, and again) so both see the same machine load.
 * Prints per pipeline: server wall time, each plain option set's time, the best ("the limit") and server / best; the
 * breakdown of the server's time (session.run, engine, nodes, transport); time to first preview against one UNet
 * step; the server's thread choice when /system_stats shows it; peak RSS.
 * Pipelines: the shipped model (64×64), generated SD-shaped pipelines at 128×128 and 512×512.
 * Every run has new prompt texts, so both CLIPTextEncode nodes run (nothing but the loader comes from the cache).
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
import { PlainLoop, plainOptionSets, type PlainOptionSet, type PlainRun } from './plain-loop.js';
import { serverThreads } from './server-threads.js';
import { matmulPeak } from './matmul-peak.js';
import { convFlops } from './model-flops.js';

const STEPS = 20;
const CFG = 7;
const root = resolve(import.meta.dirname, '..', '..');
const shipped = join(root, 'models', 'diffusion', 'inkgraph-emoji');

interface Pipeline {
  readonly label: string;
  readonly ckpt: string;
  readonly size: number;
  /** Runs of each contender per phase, and phases. */
  readonly perPhase: number;
  readonly rounds: number;
}

const results = new Map<string, ExecutionResult>();
const finishedAt = new Map<string, number>();
const server = await startTestServer({
  onFinished: (promptId, result) => {
    results.set(promptId, result);
    finishedAt.set(promptId, performance.timeOrigin + performance.now());
  },
});
const diffusionDir = join(server.dirs.modelsDir, 'diffusion');
// UNet widths for a realistic call cost: ~3–7 ms a call at 16×16 latents, ~60–110 ms at 64×64 on 2 cores.
writePipeline(join(diffusionDir, 'bench-sd'), { ...fixtureVariants[0]!, name: 'bench-sd', unetWidth: 160 });
writePipeline(join(diffusionDir, 'bench-sd-512'), { ...fixtureVariants[0]!, name: 'bench-sd-512', unetWidth: 192 });
if (existsSync(shipped)) cpSync(shipped, join(diffusionDir, 'inkgraph-emoji'), { recursive: true });

const pipelines: Pipeline[] = [
  ...(existsSync(shipped)
    ? [{ label: 'Shipped model inkgraph-emoji', ckpt: 'inkgraph-emoji', size: 64, perPhase: 2, rounds: 10 }]
    : []),
  {
    label: 'Synthetic SD-shaped pipeline bench-sd (UNet width 160)',
    ckpt: 'bench-sd',
    size: 128,
    perPhase: 2,
    rounds: 10,
  },
  {
    label: 'Synthetic SD-shaped pipeline bench-sd-512 (UNet width 192)',
    ckpt: 'bench-sd-512',
    size: 512,
    perPhase: 1,
    rounds: 6,
  },
];

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

interface ServerRun {
  readonly wallMs: number;
  readonly firstPreviewMs: number;
  /** POST to `executing null` less the engine's own time: HTTP, queue, worker hand-over, WebSocket. */
  readonly outsideEngineMs: number;
  readonly result: ExecutionResult;
}

let runNumber = 0;
/** `previews: false` runs the job with `extra_data.preview_method: none`: the server's cost of the previews, apart. */
async function runOnce(ckpt: string, size: number, previews = true): Promise<ServerRun> {
  runNumber += 1;
  const prompt = textToImage({
    ckpt,
    seed: runNumber,
    steps: STEPS,
    cfg: CFG,
    size,
    prefix: 'bench',
    positive: `a red cat on a blue background, take ${runNumber}`,
  });
  const negative = prompt['7'];
  if (negative) negative.inputs.text = `blurry, bad, take ${runNumber}`;
  client.postMessage({
    type: 'run',
    body: JSON.stringify({
      prompt,
      client_id: 'bench',
      ...(previews ? {} : { extra_data: { preview_method: 'none' } }),
    }),
  } satisfies BenchClientRequest);
  const reply = await nextReply();
  if (reply.type !== 'done')
    throw new Error(reply.type === 'failed' ? reply.reason : 'the bench client answered out of turn');
  const result = results.get(reply.promptId)!;
  if (result.status === 'error') throw new Error(`run failed: ${JSON.stringify(result.failure)}`);
  if (result.status === 'interrupted') throw new Error(`run interrupted at #${result.interruptedAt.node}`);
  return {
    wallMs: reply.endedAt - reply.postedAt,
    firstPreviewMs: (reply.firstPreviewAt ?? Number.NaN) - reply.postedAt,
    outsideEngineMs: finishedAt.get(reply.promptId)! - reply.postedAt - result.timing.totalMs,
    result,
  };
}

/** The option sets that are one set for every model (the peak's MatMul is one session). */
const uniformOptionSets = (): PlainOptionSet[] => plainOptionSets().filter((set) => !set.unetOptions);

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function measure(pipeline: Pipeline): Promise<void> {
  const { ckpt, size, perPhase, rounds } = pipeline;
  const shape = { size, steps: STEPS, cfg: CFG };
  // The machine's peak, against which a generated UNet's GFLOP/s are read: before and after the pipeline's phases
  // (this VM's speed drifts by the minute), the better of the two.
  const synthetic = ckpt !== 'inkgraph-emoji';
  const peakBefore = synthetic ? await matmulPeak(uniformOptionSets()) : undefined;
  const plain = await Promise.all(
    plainOptionSets().map(async (set) => ({
      ...set,
      loop: await PlainLoop.open(join(diffusionDir, ckpt), shape, set),
      runs: [] as PlainRun[][],
    })),
  );
  // Warm-up: the server loads the model (and times its threads, if it does); each session's first runs allocate.
  for (let i = 0; i < 2; i++) await runOnce(ckpt, size);
  const firstRunGrowth = new Map<string, number>();
  for (const contender of plain)
    for (let i = 0; i < 2; i++) {
      const run = await contender.loop.run(i);
      if (i === 0) firstRunGrowth.set(contender.label, run.rssGrowthBytes);
    }

  const phases: ServerRun[][] = [];
  const withoutPreviews: ServerRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const phase: ServerRun[] = [];
    for (let i = 0; i < perPhase; i++) phase.push(await runOnce(ckpt, size));
    phases.push(phase);
    for (let i = 0; i < perPhase; i++) withoutPreviews.push(await runOnce(ckpt, size, false));
    // The option sets take turns going first, so none always follows the server's phase.
    for (let k = 0; k < plain.length; k++) {
      const contender = plain[(round + k) % plain.length]!;
      const runs: PlainRun[] = [];
      for (let i = 0; i < perPhase; i++) runs.push(await contender.loop.run(100 * round + i));
      contender.runs[round] = runs;
    }
  }
  for (const contender of plain) await contender.loop.release();

  const runs = phases.flat();
  const wall = median(runs.map((r) => r.wallMs));
  const session = median(runs.map((r) => r.result.timing.sessionRunMs));
  const calls = runs[0]!.result.timing.sessionRuns;
  console.log(
    `${pipeline.label}: ${size}×${size}, ${STEPS} steps euler/normal, CFG ${CFG} (batched), new prompt texts each run, ` +
      `${rounds} rounds of ${perPhase} server runs then ${perPhase} runs of each plain option set, after 2 warm-up each, medians:`,
  );
  console.log(`  wall time POST /prompt → executing null: ${ms(wall)} (${calls} session.run calls: ${ms(session)})`);
  console.log(
    `  nodes run per job: ${runs[0]!.result.executed.join(', ')} (of ${Object.keys(textToImage()).length}; the rest cached)`,
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
    `  the rest: ${ms(median(runs.map((r) => r.outsideEngineMs)))} outside the engine (HTTP, queue, worker hand-over, WebSocket), ` +
      `${ms(inEngine)} in the engine between nodes, ${ms(inNodes)} in nodes outside session.run (sampler, previews, PNG)`,
  );

  const plainCalls = plain[0]!.runs[0]![0]!.calls;
  console.log(
    `  plain onnxruntime-node loop, same process (${plainCalls} session.run calls: 2 text encodes, ${STEPS} UNet [2, 4, h, w], 1 VAE decode):`,
  );
  const stats = plain.map((contender) => {
    const all = contender.runs.flat();
    return {
      label: contender.label,
      totalMs: median(all.map((r) => r.totalMs)),
      sessionMs: median(all.map((r) => r.sessionRunMs)),
      unetMs: median(all.flatMap((r) => r.unetMs)),
      firstStepMs: median(all.map((r) => r.firstStepMs)),
      rounds: contender.runs.map((phase) => median(phase.map((r) => r.totalMs))),
    };
  });
  for (const s of stats)
    console.log(`    ${s.label}: ${ms(s.totalMs)} (session.run ${ms(s.sessionMs)}, one UNet call ${ms(s.unetMs)})`);
  const best = stats.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
  const perRound = phases.map((phase, round) => median(phase.map((r) => r.wallMs)) / best.rounds[round]!);
  console.log(
    `  the limit (best plain): ${best.label}, ${ms(best.totalMs)}; server wall / limit: ${(wall / best.totalMs).toFixed(3)} ` +
      `of the medians; ${median(perRound).toFixed(3)} the median of the ${perRound.length} rounds' own ratios ` +
      `(${Math.min(...perRound).toFixed(3)}–${Math.max(...perRound).toFixed(3)}), which this VM's drift disturbs least`,
  );
  console.log(
    `  server session.run over the limit's: ${(session / best.sessionMs).toFixed(3)} (${calls} calls against ${plainCalls}: ` +
      `${calls > plainCalls ? 'the rest are preview decodes' : 'previews by latent→RGB'}); wall outside session.run: server ${ms(wall - session)}, limit ${ms(best.totalMs - best.sessionMs)}`,
  );
  const quiet = median(withoutPreviews.map((r) => r.wallMs));
  console.log(
    `  server without previews (extra_data.preview_method none): ${ms(quiet)}, ${(quiet / best.totalMs).toFixed(3)} of the limit ` +
      `(session.run ${ms(median(withoutPreviews.map((r) => r.result.timing.sessionRunMs)))}): previews cost ${ms(wall - quiet)} a run`,
  );
  const firstPreview = median(runs.map((r) => r.firstPreviewMs));
  console.log(
    `  time to first preview frame: ${ms(firstPreview)}; the limit's first step ends at ${ms(best.firstStepMs)} ` +
      `(one UNet call ${ms(best.unetMs)}): preview ${ms(firstPreview - best.firstStepMs)} after the limit's first step`,
  );
  for (const line of await serverThreads(server.url, ckpt)) console.log(`  server threads: ${line}`);
  if (peakBefore) {
    const peakAfter = await matmulPeak(uniformOptionSets());
    const peak = peakAfter.gflops > peakBefore.gflops ? peakAfter : peakBefore;
    console.log(
      `  measured peak: one ${peak.side}×${peak.side} float32 MatMul, ${peak.gflops.toFixed(0)} GFLOP/s (${peak.label}; ` +
        `${peakBefore.gflops.toFixed(0)} before the phases, ${peakAfter.gflops.toFixed(0)} after)`,
    );
    const latent = size / 8;
    const flops = convFlops(join(diffusionDir, ckpt, 'unet', 'model.onnx'), 2, latent, latent);
    const achieved = flops / (best.unetMs / 1000) / 1e9;
    console.log(
      `  UNet: ${(flops / 1e9).toFixed(2)} GFLOP a call (2 rows, ${latent}×${latent} latent cells), ` +
        `${achieved.toFixed(0)} GFLOP/s under ${best.label}: ${(achieved / peak.gflops).toFixed(2)} of the measured peak`,
    );
  }
  const growth = firstRunGrowth.get(best.label) ?? Number.NaN;
  console.log(
    `  memory per image (RSS growth over a fresh session's first run, ${best.label}): ${(growth / 2 ** 20).toFixed(0)} MiB`,
  );
}

// INKGRAPH_BENCH_PIPELINES=bench-sd-512 (checkpoint names, comma-separated) measures only those.
const only = process.env.INKGRAPH_BENCH_PIPELINES?.split(',');
for (const pipeline of pipelines) if (!only || only.includes(pipeline.ckpt)) await measure(pipeline);
await client.terminate();
await server.stop();
console.log(
  `peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (server, client and plain loops in one process)`,
);
