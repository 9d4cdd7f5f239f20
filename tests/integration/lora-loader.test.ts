import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../nodes/runtime/sampling/noise.js';
import { objectInfoSchema } from '../../shared/node-spec.js';
import type { WsMessage } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { FIXTURE_MODELS, textToImage } from '../helpers/diffusion.js';
import { float32Bytes, safetensorsBytes, type TensorSpec } from '../helpers/safetensors.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';

/**
 * LoraLoader and LoraLoaderModelOnly through the server on the shipped model. The reference for "patched right"
 * is a copy of the pipeline whose UNet weights this test patches by hand, with onnx-proto (not Inkgraph's reader).
 */

const { onnx } = onnxProto;
const root = resolve(import.meta.dirname, '..', '..');
const shipped = join(root, 'models', 'diffusion', 'inkgraph-emoji');
const work = mkdtempSync(join(tmpdir(), 'inkgraph-lora-it-'));
let server: TestServer;
let socket: TestSocket;

/** The shipped UNet's layers this test's LoRA changes: module, node name, torch shape [out, in(, kh, kw)]. */
const UNET_LAYERS = [
  { module: 'attn1.self_attn.q', node: '/attn1/self_attn/q/MatMul', shape: [96, 96] },
  { module: 'attn1.cross_attn.k', node: '/attn1/cross_attn/k/MatMul', shape: [96, 128] },
  { module: 'down1.conv1', node: '/down1/conv1/Conv', shape: [96, 64, 3, 3] },
];
const TEXT_LAYERS = [{ module: 'encoder.layers.0.attn.q', shape: [128, 128] }];
const RANK = 4;
const ALPHA = 2;

interface Layer {
  readonly key: string;
  readonly up: Float32Array;
  readonly upShape: number[];
  readonly down: Float32Array;
  readonly downShape: number[];
}

function layerFor(prefix: string, module: string, shape: readonly number[], seed: number, std = 0.15): Layer {
  const random = new SeededRandom(seed);
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  const draw = (count: number, std: number): Float32Array =>
    Float32Array.from({ length: count }, () => random.nextGaussian() * std);
  return {
    key: `${prefix}_${module.replace(/\./g, '_')}`,
    up: draw(shape[0]! * RANK, std),
    upShape: shape.length === 4 ? [shape[0]!, RANK, 1, 1] : [shape[0]!, RANK],
    down: draw(RANK * inner, std),
    downShape: [RANK, ...shape.slice(1)],
  };
}

const unetLayers = UNET_LAYERS.map((layer, i) => layerFor('lora_unet', layer.module, layer.shape, 10 + i));
const textLayers = TEXT_LAYERS.map((layer, i) => layerFor('lora_te', layer.module, layer.shape, 20 + i, 0.5));

function writeLora(path: string, layers: readonly Layer[], extra: Record<string, TensorSpec> = {}): void {
  const tensors: Record<string, TensorSpec> = {};
  for (const layer of layers) {
    tensors[`${layer.key}.lora_down.weight`] = {
      dtype: 'F32',
      shape: layer.downShape,
      bytes: float32Bytes([...layer.down]),
    };
    tensors[`${layer.key}.lora_up.weight`] = { dtype: 'F32', shape: layer.upShape, bytes: float32Bytes([...layer.up]) };
    tensors[`${layer.key}.alpha`] = { dtype: 'F32', shape: [], bytes: float32Bytes([ALPHA]) };
  }
  writeFileSync(path, safetensorsBytes({ ...tensors, ...extra }, { metadata: { ss_output_name: 'emoji-test' } }));
}

/** The shipped pipeline again, its UNet patched by hand at `strength`: W += strength · alpha/rank · up @ down. */
function handPatchedPipeline(dir: string, strength: number): void {
  cpSync(shipped, dir, { recursive: true });
  const model = onnx.ModelProto.decode(readFileSync(join(shipped, 'unet', 'model.onnx')));
  for (const [i, layer] of UNET_LAYERS.entries()) {
    const node = model.graph!.node!.find((n) => n.name === layer.node)!;
    const tensor = model.graph!.initializer!.find((t) => t.name === node.input![1])!;
    const raw = tensor.rawData!;
    const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const { up, down } = unetLayers[i]!;
    const out = layer.shape[0]!;
    const inner = values.length / out;
    // A MatMul's weight is stored [in, out]; a Conv's as torch holds it.
    const matmul = node.opType === 'MatMul';
    for (let o = 0; o < out; o++)
      for (let j = 0; j < inner; j++) {
        let sum = 0;
        for (let r = 0; r < RANK; r++) sum += up[o * RANK + r]! * down[r * inner + j]!;
        const at = matmul ? j * out + o : o * inner + j;
        values[at] = values[at]! + strength * (ALPHA / RANK) * sum;
      }
    tensor.rawData = new Uint8Array(values.buffer);
  }
  writeFileSync(join(dir, 'unet', 'model.onnx'), onnx.ModelProto.encode(model).finish());
}

beforeAll(async () => {
  const models = join(work, 'models');
  mkdirSync(join(models, 'diffusion'), { recursive: true });
  mkdirSync(join(models, 'loras', 'tests'), { recursive: true });
  cpSync(shipped, join(models, 'diffusion', 'inkgraph-emoji'), { recursive: true });
  handPatchedPipeline(join(models, 'diffusion', 'emoji-hand-patched'), 0.8);
  cpSync(join(FIXTURE_MODELS, 'diffusion', 'tiny-sd-optimum'), join(models, 'diffusion', 'tiny-sd-optimum'), {
    recursive: true,
  });
  writeLora(join(models, 'loras', 'emoji-test.safetensors'), [...unetLayers, ...textLayers]);
  writeLora(join(models, 'loras', 'tests', 'unet-only.safetensors'), unetLayers);
  // An SD 1.5 LoRA: diffusers-named layers the shipped model does not have.
  const sd15 = layerFor('lora_unet', 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q', [320, 320], 30);
  writeLora(join(models, 'loras', 'sd15-style.safetensors'), [sd15]);
  writeLora(join(models, 'loras', 'partly.safetensors'), [unetLayers[0]!, sd15]);
  server = await startTestServer({ modelsDir: models });
  socket = await TestSocket.open(server.url, 'lora-test');
});

afterAll(async () => {
  socket?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The default graph with a LoraLoader (or LoraLoaderModelOnly) between the checkpoint and its users. */
function withLora(lora: Record<string, unknown>, modelOnly = false, ckpt = 'inkgraph-emoji'): ApiPrompt {
  const prompt = textToImage({
    ckpt,
    seed: 3,
    steps: 8,
    cfg: 5,
    size: 64,
    positive: 'a large apple on a blue background',
  });
  prompt['10'] = modelOnly
    ? { class_type: 'LoraLoaderModelOnly', inputs: { model: ['4', 0], ...lora } }
    : { class_type: 'LoraLoader', inputs: { model: ['4', 0], clip: ['4', 1], ...lora } };
  prompt['3']!.inputs.model = ['10', 0];
  if (!modelOnly) {
    prompt['6']!.inputs.clip = ['10', 1];
    prompt['7']!.inputs.clip = ['10', 1];
  }
  return prompt;
}

async function imageOf(prompt: ApiPrompt): Promise<Uint8Array> {
  const entry = await runToHistory(server, socket, prompt);
  return savedImages(server, entry, '9')[0]!.data;
}

function maxLevelDifference(a: Uint8Array, b: Uint8Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('LoraLoader on the shipped model', () => {
  it('is in /object_info as ComfyUI defines it, and /models/loras lists the files', async () => {
    const info = objectInfoSchema.parse((await getJson(`${server.url}/object_info`)).json);
    const node = info.LoraLoader!;
    const required = node.input.required ?? {};
    expect(Object.keys(required)).toEqual(['model', 'clip', 'lora_name', 'strength_model', 'strength_clip']);
    const names = [
      'emoji-test.safetensors',
      'partly.safetensors',
      'sd15-style.safetensors',
      'tests/unet-only.safetensors',
    ];
    expect(required.lora_name![0]).toEqual(names);
    expect(required.strength_model![1]).toMatchObject({ default: 1, min: -100, max: 100, step: 0.01 });
    expect(node.output).toEqual(['MODEL', 'CLIP']);
    expect(node.display_name).toBe('Load LoRA');
    expect(Object.keys(info.LoraLoaderModelOnly!.input.required ?? {})).toEqual([
      'model',
      'lora_name',
      'strength_model',
    ]);
    expect((await getJson(`${server.url}/models/loras`)).json).toEqual(names);
    const metadata = await getJson(`${server.url}/view_metadata/loras?filename=emoji-test.safetensors`);
    expect(metadata.json).toEqual({ ss_output_name: 'emoji-test' });
  });

  it('gives the pixels of the UNet patched by hand, and strength 0 the plain model', async () => {
    const plain = await imageOf(withLora({ lora_name: 'emoji-test.safetensors', strength_model: 0, strength_clip: 0 }));
    const reference = await imageOf(
      textToImage({
        ckpt: 'inkgraph-emoji',
        seed: 3,
        steps: 8,
        cfg: 5,
        size: 64,
        positive: 'a large apple on a blue background',
      }),
    );
    expect(maxLevelDifference(plain, reference)).toBe(0);
    const patched = await imageOf(
      withLora({ lora_name: 'emoji-test.safetensors', strength_model: 0.8, strength_clip: 0 }),
    );
    const byHand = await imageOf(
      textToImage({
        ckpt: 'emoji-hand-patched',
        seed: 3,
        steps: 8,
        cfg: 5,
        size: 64,
        positive: 'a large apple on a blue background',
      }),
    );
    expect(maxLevelDifference(patched, plain)).toBeGreaterThan(20);
    expect(maxLevelDifference(patched, byHand)).toBeLessThanOrEqual(1);
  });

  it('patches the text encoder with strength_clip, and LoraLoaderModelOnly leaves it alone', async () => {
    const unetOnly = await imageOf(
      withLora({ lora_name: 'emoji-test.safetensors', strength_model: 0.8, strength_clip: 0 }),
    );
    const both = await imageOf(
      withLora({ lora_name: 'emoji-test.safetensors', strength_model: 0.8, strength_clip: 1 }),
    );
    expect(maxLevelDifference(both, unetOnly)).toBeGreaterThan(5);
    const modelOnly = await imageOf(withLora({ lora_name: 'emoji-test.safetensors', strength_model: 0.8 }, true));
    expect(maxLevelDifference(modelOnly, unetOnly)).toBe(0);
  });

  it('stacks: two loaders of halves give one loader of the whole', async () => {
    const whole = await imageOf(
      withLora({ lora_name: 'tests/unet-only.safetensors', strength_model: 0.8, strength_clip: 1 }),
    );
    const prompt = withLora({ lora_name: 'tests/unet-only.safetensors', strength_model: 0.5, strength_clip: 1 });
    prompt['11'] = {
      class_type: 'LoraLoader',
      inputs: {
        model: ['10', 0],
        clip: ['10', 1],
        lora_name: 'tests/unet-only.safetensors',
        strength_model: 0.3,
        strength_clip: 1,
      },
    };
    prompt['3']!.inputs.model = ['11', 0];
    expect(maxLevelDifference(await imageOf(prompt), whole)).toBeLessThanOrEqual(1);
  });

  it('reports what it patched on the node, and what matched nothing', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: withLora({ lora_name: 'partly.safetensors', strength_model: 1, strength_clip: 1 }),
      client_id: socket.clientId,
    });
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    const executed = messages.find(
      (m): m is Extract<WsMessage, { type: 'executed' }> => m.type === 'executed' && m.data.node === '10',
    );
    const text = (executed?.data.output as { text?: string[] } | undefined)?.text?.[0] ?? '';
    expect(text).toContain('partly.safetensors: 1 UNet layers and 0 text encoder layers of 2 patched');
    expect(text).toContain(
      '1 layers name no weight of this model, e.g. "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q"',
    );
  });

  it('refuses a LoRA that matches nothing, naming the node, the field and some of its keys', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: withLora({ lora_name: 'sd15-style.safetensors', strength_model: 1, strength_clip: 1 }),
      client_id: socket.clientId,
    });
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    const error = messages.find(
      (m): m is Extract<WsMessage, { type: 'execution_error' }> => m.type === 'execution_error',
    );
    expect(error?.data.node_id).toBe('10');
    expect(error?.data.exception_message).toContain(
      'lora_name: sd15-style.safetensors matches no layer of inkgraph-emoji',
    );
    expect(error?.data.exception_message).toContain(
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q',
    );
    expect(error?.data.exception_message).toContain('lora_unet_');
  });
});

/** Nodes after the checkpoint: a second checkpoint (node 20) and a merge node (21) feeding the sampler. */
function merging(nodes: ApiPrompt, sampledModel: [string, number], clip?: [string, number]): ApiPrompt {
  const prompt = textToImage({ ckpt: 'inkgraph-emoji', seed: 3, steps: 8, cfg: 5, size: 64, positive: APPLE });
  Object.assign(prompt, nodes);
  prompt['3']!.inputs.model = sampledModel;
  if (clip) {
    prompt['6']!.inputs.clip = clip;
    prompt['7']!.inputs.clip = clip;
  }
  return prompt;
}

const APPLE = 'a large apple on a blue background';
const checkpoint = (ckpt_name: string) => ({ class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name } });
const lora = (strength_model: number, strength_clip: number) => ({
  class_type: 'LoraLoader',
  inputs: { model: ['4', 0], clip: ['4', 1], lora_name: 'emoji-test.safetensors', strength_model, strength_clip },
});

describe('model merging on the shipped model', () => {
  it('ModelMergeSimple of the model and its patched copy at 0.5 is the LoRA at half strength', async () => {
    const merged = await imageOf(
      merging(
        {
          '20': checkpoint('emoji-hand-patched'),
          '21': { class_type: 'ModelMergeSimple', inputs: { model1: ['4', 0], model2: ['20', 0], ratio: 0.5 } },
        },
        ['21', 0],
      ),
    );
    const half = await imageOf(merging({ '10': lora(0.4, 0) }, ['10', 0]));
    const plain = await imageOf(merging({}, ['4', 0]));
    expect(maxLevelDifference(merged, plain)).toBeGreaterThan(10);
    expect(maxLevelDifference(merged, half)).toBeLessThanOrEqual(1);
  });

  it('ModelMergeBlocks on a UNet without SD block names gives every weight the input ratio', async () => {
    // The shipped UNet's modules (down0, attn1, …) have no ldm names: like ComfyUI's keys outside the blocks, they
    // take the first ratio, so input 0.5 with middle and out at 1 is Simple at 0.5: the LoRA at half strength.
    const merged = await imageOf(
      merging(
        {
          '20': checkpoint('emoji-hand-patched'),
          '21': {
            class_type: 'ModelMergeBlocks',
            inputs: { model1: ['4', 0], model2: ['20', 0], input: 0.5, middle: 1, out: 1 },
          },
        },
        ['21', 0],
      ),
    );
    const half = await imageOf(merging({ '10': lora(0.4, 0) }, ['10', 0]));
    expect(maxLevelDifference(merged, half)).toBeLessThanOrEqual(1);
  });

  it('ModelMergeAdd of the model and ModelMergeSubtract(patched, model) is the patched model', async () => {
    const rebuilt = await imageOf(
      merging(
        {
          '20': checkpoint('emoji-hand-patched'),
          '21': { class_type: 'ModelMergeSubtract', inputs: { model1: ['20', 0], model2: ['4', 0], multiplier: 1 } },
          '22': { class_type: 'ModelMergeAdd', inputs: { model1: ['4', 0], model2: ['21', 0] } },
        },
        ['22', 0],
      ),
    );
    const patched = await imageOf(merging({ '10': lora(0.8, 0) }, ['10', 0]));
    expect(maxLevelDifference(rebuilt, patched)).toBeLessThanOrEqual(1);
  });

  it('CLIPMergeSimple of a LoRA-patched CLIP and the plain one at 0.5 is the LoRA at half strength_clip', async () => {
    const merged = await imageOf(
      merging(
        {
          '10': lora(0, 1),
          '21': { class_type: 'CLIPMergeSimple', inputs: { clip1: ['10', 1], clip2: ['4', 1], ratio: 0.5 } },
        },
        ['4', 0],
        ['21', 0],
      ),
    );
    const half = await imageOf(merging({ '10': lora(0, 0.5) }, ['4', 0], ['10', 1]));
    expect(maxLevelDifference(merged, half)).toBeLessThanOrEqual(1);
  });

  it('CLIPMergeAdd of the CLIP and CLIPMergeSubtract(LoRA-patched CLIP, CLIP) is the patched CLIP', async () => {
    const rebuilt = await imageOf(
      merging(
        {
          '10': lora(0, 1),
          '21': { class_type: 'CLIPMergeSubtract', inputs: { clip1: ['10', 1], clip2: ['4', 1], multiplier: 1 } },
          '22': { class_type: 'CLIPMergeAdd', inputs: { clip1: ['4', 1], clip2: ['21', 0] } },
        },
        ['4', 0],
        ['22', 0],
      ),
    );
    const patched = await imageOf(merging({ '10': lora(0, 1) }, ['4', 0], ['10', 1]));
    const plain = await imageOf(merging({}, ['4', 0]));
    expect(maxLevelDifference(patched, plain)).toBeGreaterThan(5);
    expect(maxLevelDifference(rebuilt, patched)).toBeLessThanOrEqual(1);
  });

  it('CheckpointSave writes a pipeline folder that loads and draws what the patched model drew', async () => {
    const prompt = merging({ '10': lora(0.8, 1) }, ['10', 0], ['10', 1]);
    prompt['30'] = {
      class_type: 'CheckpointSave',
      inputs: { model: ['10', 0], clip: ['10', 1], vae: ['4', 2], filename_prefix: 'checkpoints/emoji-lora' },
    };
    const entry = await runToHistory(server, socket, prompt);
    const patched = savedImages(server, entry, '9')[0]!.data;
    expect(entry.outputs['30']?.text).toEqual(['saved checkpoints/emoji-lora_00001_']);
    const saved = join(server.dirs.outputDir, 'checkpoints', 'emoji-lora_00001_');
    cpSync(saved, join(work, 'models', 'diffusion', 'saved-emoji'), { recursive: true });
    const reloaded = await imageOf(merging({ '20': checkpoint('saved-emoji') }, ['20', 0], ['20', 1]));
    expect(maxLevelDifference(reloaded, patched)).toBeLessThanOrEqual(1);
  });

  it('refuses to merge models of different graphs, naming model2', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: merging(
        {
          '20': checkpoint('tiny-sd-optimum'),
          '21': { class_type: 'ModelMergeSimple', inputs: { model1: ['4', 0], model2: ['20', 0], ratio: 0.5 } },
        },
        ['21', 0],
      ),
      client_id: socket.clientId,
    });
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    const error = messages.find(
      (m): m is Extract<WsMessage, { type: 'execution_error' }> => m.type === 'execution_error',
    );
    expect(error?.data.node_id).toBe('21');
    expect(error?.data.exception_message).toContain("model2: its UNet is not the same graph as the first one's");
  });
});
