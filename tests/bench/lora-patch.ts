/**
 * What a LoRA costs on the shipped model: building the patched UNet (reading the model, adding every layer's change,
 * writing the new bytes), loading it as a session, and a UNet call on it against one on the plain model (the same
 * graph: the same time is expected). The LoRA is rank 8 on every linear and conv layer the weight index finds.
 * Run: npm run bench:lora [-- RUNS]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPatchedModel, weightIndexOf } from '../../nodes/runtime/diffusion/patched-model.js';
import { loadSession, runSession, type Feed, type LoadedSession } from '../../nodes/runtime/onnx/session.js';
import { SeededRandom } from '../../nodes/runtime/sampling/noise.js';
import { float32Bytes, safetensorsBytes, type TensorSpec } from '../helpers/safetensors.js';

const RUNS = Number(process.argv[2] ?? 5);
const RANK = 8;
const root = resolve(import.meta.dirname, '..', '..');
const unetPath = join(root, 'models', 'diffusion', 'inkgraph-emoji', 'unet', 'model.onnx');
const work = mkdtempSync(join(tmpdir(), 'inkgraph-bench-lora-'));

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

function writeLora(): { path: string; layers: number } {
  const index = weightIndexOf(unetPath);
  if (!index.ok) throw new Error(index.reason);
  const random = new SeededRandom(3);
  const tensors: Record<string, TensorSpec> = {};
  for (const target of index.value.targets.values()) {
    const [out, ...rest] = target.shape;
    const inner = rest.reduce((a, b) => a * b, 1);
    const key = `lora_unet_${target.module.replace(/\./g, '_')}`;
    const draw = (count: number): number[] => Array.from({ length: count }, () => random.nextGaussian() * 0.05);
    tensors[`${key}.lora_down.weight`] = {
      dtype: 'F32',
      shape: [RANK, ...rest],
      bytes: float32Bytes(draw(RANK * inner)),
    };
    tensors[`${key}.lora_up.weight`] = {
      dtype: 'F32',
      shape: rest.length === 3 ? [out!, RANK, 1, 1] : [out!, RANK],
      bytes: float32Bytes(draw(out! * RANK)),
    };
    tensors[`${key}.alpha`] = { dtype: 'F32', shape: [], bytes: float32Bytes([RANK]) };
  }
  const path = join(work, 'all-layers.safetensors');
  writeFileSync(path, safetensorsBytes(tensors));
  return { path, layers: index.value.targets.size };
}

function feeds(): Record<string, Feed> {
  const random = new SeededRandom(9);
  const draw = (count: number): Float32Array => Float32Array.from({ length: count }, () => random.nextGaussian());
  return {
    sample: { data: draw(2 * 4 * 8 * 8), dims: [2, 4, 8, 8] },
    timestep: { data: [500], dims: [1] },
    encoder_hidden_states: { data: draw(2 * 77 * 128), dims: [2, 77, 128] },
    // The shipped UNet takes a ControlNet's residuals: zeros, as a run without one feeds (8², 4², 2², 2²).
    down_block_0: { data: new Float32Array(2 * 64 * 8 * 8), dims: [2, 64, 8, 8] },
    down_block_1: { data: new Float32Array(2 * 96 * 4 * 4), dims: [2, 96, 4, 4] },
    down_block_2: { data: new Float32Array(2 * 128 * 2 * 2), dims: [2, 128, 2, 2] },
    mid_block_additional_residual: { data: new Float32Array(2 * 128 * 2 * 2), dims: [2, 128, 2, 2] },
  };
}

async function callMs(loaded: LoadedSession, input: Record<string, Feed>): Promise<number> {
  for (let i = 0; i < 3; i++) await runSession(loaded, input);
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await runSession(loaded, input);
    times.push(performance.now() - started);
  }
  return median(times);
}

try {
  const lora = writeLora();
  const build: number[] = [];
  const load: number[] = [];
  let patchedBytes: Uint8Array | undefined;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const built = buildPatchedModel(
      unetPath,
      'unet',
      [{ kind: 'lora', path: lora.path, strength: 1, stamp: `run-${run}` }],
      { first: true, second: false },
      join(work, 'patched'),
    );
    build.push(performance.now() - started);
    if (!built.ok || built.value.kind !== 'bytes') throw new Error('the shipped UNet should patch in memory');
    patchedBytes = built.value.bytes;
    const loadStarted = performance.now();
    const session = await loadSession({ label: 'patched', bytes: patchedBytes }, { threads: 1, spinning: false });
    load.push(performance.now() - loadStarted);
    await session.session.release();
  }
  const input = feeds();
  const plain = await loadSession(unetPath, { threads: 1, spinning: false });
  const patched = await loadSession({ label: 'patched', bytes: patchedBytes! }, { threads: 1, spinning: false });
  const [plainCall, patchedCall] = [await callMs(plain, input), await callMs(patched, input)];
  console.log(`LoRA of rank ${RANK} on all ${lora.layers} linear and conv layers of the shipped UNet, ${RUNS} runs:`);
  console.log(`  build the patched model: median ${ms(median(build))} (${build.map(ms).join(', ')})`);
  console.log(`  load it as a session:    median ${ms(median(load))}`);
  console.log(
    `  UNet call, batch 2 at 64²: plain ${ms(plainCall)}, patched ${ms(patchedCall)} (median of 20, 1 thread)`,
  );
  await plain.session.release();
  await patched.session.release();
} finally {
  rmSync(work, { recursive: true, force: true });
}
