import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHalf, toHalf } from '../../media/float16.js';
import { buildPatchedModel, type AppliedLora } from '../../nodes/runtime/diffusion/patched-model.js';
import { readOnnxGraph } from '../../nodes/runtime/onnx/onnx-graph.js';
import { loadSession, runSession, type Feed } from '../../nodes/runtime/onnx/session.js';
import { indexWeights } from '../../nodes/runtime/onnx/weight-locator.js';
import { SeededRandom } from '../../nodes/runtime/sampling/noise.js';
import {
  TEXT_LAYERS,
  tinyOptimumTextEncoder,
  tinyOptimumUnet,
  UNET_LAYERS,
  type FixtureModel,
  type FixtureOptions,
} from '../fixtures/lora-fixture-graphs.js';
import { float32Bytes, safetensorsBytes, type TensorSpec } from '../helpers/safetensors.js';

/**
 * LoRA patching on ONNX files named as optimum exports them: a patched model must compute exactly what the same
 * model built with the weights patched by hand computes.
 */

const work = mkdtempSync(join(tmpdir(), 'inkgraph-lora-onnx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let folders = 0;

function writeModel(fixture: FixtureModel): string {
  const dir = join(work, `model-${folders++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), fixture.model);
  if (fixture.data) writeFileSync(join(dir, 'model.onnx_data'), fixture.data);
  return join(dir, 'model.onnx');
}

interface LoraLayer {
  readonly module: string;
  readonly up: Float32Array;
  readonly upShape: number[];
  readonly down: Float32Array;
  readonly downShape: number[];
  readonly alpha?: number;
}

/** A random rank-r LoRA layer for a torch-shaped weight (a conv weight gets a conv LoRA, as LoCon makes). */
function randomLayer(module: string, shape: readonly number[], rank: number, seed: number, alpha?: number): LoraLayer {
  const random = new SeededRandom(seed);
  const out = shape[0]!;
  const rest = shape.slice(1);
  const inner = rest.reduce((a, b) => a * b, 1);
  const draw = (count: number, std: number): Float32Array =>
    Float32Array.from({ length: count }, () => random.nextGaussian() * std);
  return {
    module,
    up: draw(out * rank, 0.4),
    upShape: shape.length === 4 ? [out, rank, 1, 1] : [out, rank],
    down: draw(rank * inner, 0.4),
    downShape: [rank, ...rest],
    ...(alpha !== undefined ? { alpha } : {}),
  };
}

type Format = 'kohya' | 'peft' | 'kohya-ldm';

/** The fixture's layers by their original (ldm) names, as SDXL kohya LoRAs name them, written out by hand. */
const LDM_NAMES: Readonly<Record<string, string>> = {
  'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q': 'input_blocks.1.1.transformer_blocks.0.attn1.to_q',
  'down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k': 'input_blocks.1.1.transformer_blocks.0.attn2.to_k',
  'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_v': 'input_blocks.1.1.transformer_blocks.0.attn1.to_v',
  'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0':
    'input_blocks.1.1.transformer_blocks.0.attn1.to_out.0',
  'time_embedding.linear_1': 'time_embed.0',
  'down_blocks.0.resnets.0.conv1': 'input_blocks.1.0.in_layers.2',
};

function loraFile(layers: readonly LoraLayer[], format: Format, prefix: 'unet' | 'te'): string {
  const tensors: Record<string, TensorSpec> = {};
  for (const layer of layers) {
    const key =
      format === 'kohya'
        ? `lora_${prefix}_${layer.module.replace(/\./g, '_')}`
        : format === 'kohya-ldm'
          ? `lora_unet_${LDM_NAMES[layer.module]!.replace(/\./g, '_')}`
          : `${prefix === 'unet' ? 'unet' : 'text_encoder'}.${layer.module}`;
    const [upName, downName] =
      format === 'peft' ? ['lora_B.weight', 'lora_A.weight'] : ['lora_up.weight', 'lora_down.weight'];
    tensors[`${key}.${downName}`] = { dtype: 'F32', shape: layer.downShape, bytes: float32Bytes([...layer.down]) };
    tensors[`${key}.${upName}`] = { dtype: 'F32', shape: layer.upShape, bytes: float32Bytes([...layer.up]) };
    if (layer.alpha !== undefined)
      tensors[`${key}.alpha`] = { dtype: 'F32', shape: [], bytes: float32Bytes([layer.alpha]) };
  }
  const path = join(work, `lora-${folders++}.safetensors`);
  writeFileSync(path, safetensorsBytes(tensors));
  return path;
}

/** W + Σ strength · (alpha / rank) · up @ down, in float64, per module; fp16 weights start from their fp16 value. */
function patchedByHand(
  fixture: FixtureModel,
  applied: readonly { layers: readonly LoraLayer[]; strength: number }[],
  storage: 'float' | 'float16',
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const { layers, strength } of applied) {
    for (const layer of layers) {
      const base = fixture.weights.get(layer.module)!;
      const current =
        out.get(layer.module) ??
        Float32Array.from(base, (value) => (storage === 'float16' ? fromHalf(toHalf(value)) : value));
      const rank = layer.downShape[0]!;
      const rows = layer.upShape[0]!;
      const inner = current.length / rows;
      const scale = strength * ((layer.alpha ?? rank) / rank);
      for (let o = 0; o < rows; o++)
        for (let j = 0; j < inner; j++) {
          let sum = 0;
          for (let r = 0; r < rank; r++) sum += layer.up[o * rank + r]! * layer.down[r * inner + j]!;
          current[o * inner + j] = current[o * inner + j]! + scale * sum;
        }
      out.set(layer.module, current);
    }
  }
  return out;
}

function unetFeeds(): Record<string, Feed> {
  const random = new SeededRandom(5);
  const draw = (count: number): Float32Array => Float32Array.from({ length: count }, () => random.nextGaussian());
  return {
    sample: { data: draw(2 * 4 * 6 * 6), dims: [2, 4, 6, 6] },
    timestep: { data: Float32Array.from([999, 250]), dims: [2] },
    encoder_hidden_states: { data: draw(2 * 5 * 16), dims: [2, 5, 16] },
  };
}

function textFeeds(): Record<string, Feed> {
  return { input_ids: { data: Array.from({ length: 2 * 77 }, (_, i) => (i * 7) % 64), dims: [2, 77] } };
}

async function outputsOf(source: string | { label: string; bytes: Uint8Array }, feeds: Record<string, Feed>) {
  const loaded = await loadSession(source, { threads: 1, spinning: false });
  try {
    const outputs = await runSession(loaded, feeds);
    return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.data]));
  } finally {
    await loaded.session.release();
  }
}

function expectClose(actual: Record<string, Float32Array>, expected: Record<string, Float32Array>, tolerance: number) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, values] of Object.entries(expected)) {
    const got = actual[name]!;
    expect(got.length).toBe(values.length);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < values.length; i++) {
      worst = Math.max(worst, Math.abs(got[i]! - values[i]!));
      scale = Math.max(scale, Math.abs(values[i]!));
    }
    expect(worst / Math.max(scale, 1e-6), `${name}: worst difference ${worst} at scale ${scale}`).toBeLessThan(
      tolerance,
    );
  }
}

function maxDifference(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let worst = 0;
  for (const [name, values] of Object.entries(a))
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - b[name]![i]!));
  return worst;
}

const stamp = 'test';
const patch = (path: string, strength: number): AppliedLora => ({ kind: 'lora', path, strength, stamp });
const encoders = { first: true, second: false };

function sourceOf(modelPath: string, loras: readonly AppliedLora[], part: 'unet' | 'text_encoder') {
  const built = buildPatchedModel(modelPath, part, loras, encoders, join(work, 'patched'));
  if (!built.ok) throw new Error(built.reason);
  return built.value.kind === 'bytes' ? { label: 'patched', bytes: built.value.bytes } : built.value.path;
}

describe('the weight index of an optimum-style export', () => {
  it('finds each linear and conv layer by module path, with MatMul weights seen as transposed', () => {
    for (const options of [{}, { storage: 'float16' as const }, { external: true }]) {
      const fixture = tinyOptimumUnet(options);
      const graph = readOnnxGraph(fixture.model);
      if (!graph.ok) throw new Error(graph.reason);
      const index = indexWeights(graph.value);
      expect([...index.targets.keys()].sort()).toEqual(UNET_LAYERS.map((layer) => layer.module).sort());
      for (const layer of UNET_LAYERS) {
        const target = index.targets.get(layer.module)!;
        expect(target.shape, layer.module).toEqual(layer.shape);
        expect(target.transposed, layer.module).toBe(layer.kind === 'matmul');
      }
    }
  });
});

describe('a LoRA patched into an ONNX UNet', () => {
  const variants: { name: string; options: FixtureOptions; tolerance: number }[] = [
    { name: 'float32', options: {}, tolerance: 1e-5 },
    { name: 'float16 weights', options: { storage: 'float16' }, tolerance: 2e-3 },
    { name: 'external data', options: { external: true }, tolerance: 1e-5 },
    { name: 'float16 external data', options: { storage: 'float16', external: true }, tolerance: 2e-3 },
  ];
  const targets = [
    'attn1.to_q',
    'attn2.to_k',
    'attn1.to_v',
    'attn1.to_out.0',
    'time_embedding.linear_1',
    'resnets.0.conv1',
  ];
  const layersFor = (seed: number, alpha?: number): LoraLayer[] =>
    UNET_LAYERS.filter((layer) => targets.some((t) => layer.module.endsWith(t))).map((layer, i) =>
      randomLayer(layer.module, layer.shape, 2, seed + i, alpha),
    );

  for (const variant of variants) {
    for (const format of ['kohya', 'peft', ...(variant.name === 'float32' ? (['kohya-ldm'] as const) : [])] as const) {
      it(`${variant.name}, ${format} keys: equals the weights patched by hand, at strength 1 and 0.6`, async () => {
        const storage = variant.options.storage ?? 'float';
        const fixture = tinyOptimumUnet(variant.options);
        const modelPath = writeModel(fixture);
        const layers = layersFor(100, format === 'peft' ? undefined : 1);
        const lora = loraFile(layers, format, 'unet');
        const feeds = unetFeeds();
        const plain = await outputsOf(modelPath, feeds);
        for (const strength of [1, 0.6]) {
          const hand = tinyOptimumUnet({
            ...variant.options,
            overrides: patchedByHand(fixture, [{ layers, strength }], storage),
          });
          const expected = await outputsOf(writeModel(hand), feeds);
          const patched = await outputsOf(sourceOf(modelPath, [patch(lora, strength)], 'unet'), feeds);
          expectClose(patched, expected, variant.tolerance);
          // The LoRA changes the output well beyond the tolerance, so the comparison above means something.
          expect(maxDifference(patched, plain)).toBeGreaterThan(0.05);
        }
      });
    }
  }

  it('at strength 0 is the model itself, and two stacked LoRAs add up', async () => {
    const fixture = tinyOptimumUnet();
    const modelPath = writeModel(fixture);
    const first = layersFor(200, 2);
    const second = layersFor(300);
    const firstFile = loraFile(first, 'kohya', 'unet');
    const secondFile = loraFile(second, 'peft', 'unet');
    const unchanged = buildPatchedModel(modelPath, 'unet', [patch(firstFile, 0)], encoders, join(work, 'patched'));
    expect(unchanged).toEqual({ ok: true, value: { kind: 'file', path: modelPath } });
    const feeds = unetFeeds();
    const hand = tinyOptimumUnet({
      overrides: patchedByHand(
        fixture,
        [
          { layers: first, strength: 0.8 },
          { layers: second, strength: -0.5 },
        ],
        'float',
      ),
    });
    const expected = await outputsOf(writeModel(hand), feeds);
    const stacked = await outputsOf(
      sourceOf(modelPath, [patch(firstFile, 0.8), patch(secondFile, -0.5)], 'unet'),
      feeds,
    );
    expectClose(stacked, expected, 1e-5);
  });

  it('reuses a patched copy of an external-data model on disk, with the untouched data linked, not copied', () => {
    const fixture = tinyOptimumUnet({ external: true });
    const modelPath = writeModel(fixture);
    const lora = loraFile(layersFor(400), 'kohya', 'unet');
    const cache = join(work, 'patched-reuse');
    const first = buildPatchedModel(modelPath, 'unet', [patch(lora, 1)], encoders, cache);
    const second = buildPatchedModel(modelPath, 'unet', [patch(lora, 1)], encoders, cache);
    expect(first.ok && second.ok).toBe(true);
    expect(second).toEqual(first);
    expect(readdirSync(cache)).toHaveLength(1);
    const folder = join(cache, readdirSync(cache)[0]!);
    expect(readdirSync(folder).sort()).toEqual(['inkgraph-patched.bin', 'model.onnx', 'model.onnx_data']);
    expect(statSync(join(folder, 'model.onnx_data')).ino).toBe(
      statSync(join(dirname(modelPath), 'model.onnx_data')).ino,
    );
  });
});

describe('a LoRA patched into an ONNX text encoder', () => {
  it('kohya lora_te_ keys equal the weights patched by hand', async () => {
    const fixture = tinyOptimumTextEncoder();
    const modelPath = writeModel(fixture);
    const layers = TEXT_LAYERS.map((layer, i) => randomLayer(layer.module, layer.shape, 3, 500 + i, 1.5));
    const lora = loraFile(layers, 'kohya', 'te');
    const hand = tinyOptimumTextEncoder({ overrides: patchedByHand(fixture, [{ layers, strength: 0.7 }], 'float') });
    const expected = await outputsOf(writeModel(hand), textFeeds());
    const patched = await outputsOf(sourceOf(modelPath, [patch(lora, 0.7)], 'text_encoder'), textFeeds());
    expectClose(patched, expected, 1e-5);
  });
});

describe('ModelMergeBlocks on an optimum-named UNet', () => {
  it("weighs each weight by its block's ratio, found from its original (ldm) name", async () => {
    const first = tinyOptimumUnet();
    const random = new SeededRandom(700);
    const otherWeights = new Map(
      UNET_LAYERS.map((layer) => [
        layer.module,
        Float32Array.from({ length: layer.shape.reduce((a, b) => a * b, 1) }, () => random.nextGaussian() * 0.3),
      ]),
    );
    const second = tinyOptimumUnet({ overrides: otherWeights });
    const firstPath = writeModel(first);
    const secondDir = join(work, `pipeline-${folders++}`);
    mkdirSync(join(secondDir, 'unet'), { recursive: true });
    writeFileSync(join(secondDir, 'unet', 'model.onnx'), second.model);
    const blocks = { input: 0.3, middle: 1, out: 0.8 };
    const built = buildPatchedModel(
      firstPath,
      'unet',
      [{ kind: 'merge', dir: secondDir, steps: [], selfScale: blocks.input, otherScale: 1 - blocks.input, blocks }],
      encoders,
      join(work, 'patched'),
    );
    if (!built.ok) throw new Error(built.reason);
    // conv_out is out.2 (the out ratio); conv_in, down_blocks.0.* (input_blocks) and time_embedding (no block) take
    // the input ratio. Biases are the same in both models, so any ratio keeps them.
    const expected = new Map(
      UNET_LAYERS.map((layer) => {
        const ratio = layer.module === 'conv_out' ? blocks.out : blocks.input;
        const [a, b] = [first.weights.get(layer.module)!, otherWeights.get(layer.module)!];
        return [layer.module, Float32Array.from(a, (value, i) => ratio * value + (1 - ratio) * b[i]!)];
      }),
    );
    const feeds = unetFeeds();
    const merged = await outputsOf(
      built.value.kind === 'bytes' ? { label: 'merged', bytes: built.value.bytes } : built.value.path,
      feeds,
    );
    expectClose(merged, await outputsOf(writeModel(tinyOptimumUnet({ overrides: expected })), feeds), 1e-5);
    expect(maxDifference(merged, await outputsOf(firstPath, feeds))).toBeGreaterThan(0.05);
  });
});
