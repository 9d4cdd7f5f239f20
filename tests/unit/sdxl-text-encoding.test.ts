import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { SharedCaches } from '../../nodes/contract/node-context.js';
import { penultimateHiddenState } from '../../nodes/runtime/diffusion/clip-loader.js';
import { pipelineShape } from '../../nodes/runtime/diffusion/memory-profile.js';
import { checkPipelineFolder, loadPipeline } from '../../nodes/runtime/diffusion/pipeline-loader.js';
import { encodePrompt, encodeSdxl } from '../../nodes/runtime/diffusion/text-encoding.js';
import type { ClipModel } from '../../nodes/runtime/diffusion/types.js';
import { ClipTokenizer } from '../../nodes/runtime/text/clip-tokenizer.js';
import { FIXTURE_MODELS } from '../helpers/diffusion.js';

const SDXL = join(FIXTURE_MODELS, 'diffusion', 'tiny-sdxl');
const REFINER = join(FIXTURE_MODELS, 'diffusion', 'tiny-sdxl-refiner');
const scratch = mkdtempSync(join(tmpdir(), 'inkgraph-sdxl-te-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A cache that keeps every value and counts how often each key was created. */
function countingCaches(): SharedCaches & { created: Map<string, number>; disposeAll(): Promise<void> } {
  const values = new Map<string, { value: unknown; release: () => Promise<void> | void }>();
  const created = new Map<string, number>();
  const disposeAll = async (): Promise<void> => {
    for (const { release } of values.values()) await release();
    values.clear();
  };
  return {
    created,
    async getOrCreate<T>(key: string, create: () => Promise<T>, dispose?: (value: T) => Promise<void> | void) {
      const known = values.get(key);
      // The key names what was stored under it, as the engine's model cache assumes.
      if (known) return known.value as T;
      created.set(key, (created.get(key) ?? 0) + 1);
      const value = await create();
      values.set(key, { value, release: () => dispose?.(value) });
      return value;
    },
    clear: disposeAll,
    disposeAll,
  };
}

const caches = countingCaches();
afterAll(() => caches.disposeAll());

const vocab = JSON.parse(readFileSync(join(SDXL, 'tokenizer', 'vocab.json'), 'utf8')) as Record<string, number>;
const BOS = vocab['<|startoftext|>']!;
const EOS = vocab['<|endoftext|>']!;
const BANG = vocab['!']!;
const tokenizer = ClipTokenizer.fromFiles(join(SDXL, 'tokenizer', 'vocab.json'), join(SDXL, 'tokenizer', 'merges.txt'));

/** [BOS, words' tokens, EOS, pad…] to 77, worked out from the tokenizer word by word. */
function row(words: readonly string[], pad: number): number[] {
  const ids = [BOS, ...words.flatMap((word) => tokenizer.encode(word)), EOS];
  while (ids.length < 77) ids.push(pad);
  return ids;
}

/** Runs a fixture encoder directly and returns the named outputs. */
async function run(path: string, rows: number[][], names: string[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(path);
  try {
    const ids = new ort.Tensor(
      'int64',
      BigInt64Array.from(rows.flat(), (v) => BigInt(v)),
      [rows.length, 77],
    );
    const out = await session.run({ input_ids: ids }, names);
    return Object.fromEntries(names.map((name) => [name, out[name]!.data as Float32Array]));
  } finally {
    await session.release();
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Interleaves per-token rows: [l ‖ g] for each of `tokens` tokens. */
function concat(l: Float32Array, dl: number, g: Float32Array, dg: number, tokens: number): Float32Array {
  const out = new Float32Array(tokens * (dl + dg));
  for (let t = 0; t < tokens; t++) {
    out.set(l.subarray(t * dl, (t + 1) * dl), t * (dl + dg));
    out.set(g.subarray(t * dg, (t + 1) * dg), t * (dl + dg) + dl);
  }
  return out;
}

async function sdxlClip(dir: string): Promise<ClipModel> {
  return (await loadPipeline(dir, caches)).clip;
}

describe('SDXL pipelines load', () => {
  it('the base: both encoders at their penultimate layer, size conditioning from time_ids [B, 6]', async () => {
    expect(checkPipelineFolder(SDXL)).toEqual([]);
    const { model, clip } = await loadPipeline(SDXL, caches);
    expect(model.sizeConditioning).toBe('sdxl');
    expect(clip.sdxl?.l?.hiddenOutput).toBe('hidden_states.1');
    expect(clip.sdxl?.g.hiddenOutput).toBe('hidden_states.2');
    expect(clip.sdxl?.l?.padId).toBe(EOS);
    expect(clip.sdxl?.g.padId).toBe(BANG);
    const sessions = await model.pipeline.sessions(caches);
    expect(sessions.textEncoder && sessions.textEncoder2).toBeTruthy();
    expect(caches.created.get(`pipeline:${SDXL}`)).toBe(1);
  });

  it('the refiner: only text_encoder_2, time_ids [B, 5]', async () => {
    expect(checkPipelineFolder(REFINER)).toEqual([]);
    const { model, clip } = await loadPipeline(REFINER, caches);
    expect(model.sizeConditioning).toBe('sdxl-refiner');
    expect(clip.sdxl?.l).toBeUndefined();
    expect(clip.padId).toBe(BANG);
    expect((await model.pipeline.sessions(caches)).textEncoder).toBeUndefined();
  });

  it('SD pipelines keep their single encoder and no size conditioning', async () => {
    const { model, clip } = await loadPipeline(join(FIXTURE_MODELS, 'diffusion', 'tiny-sd-fp32'), caches);
    expect(model.sizeConditioning).toBeUndefined();
    expect(clip.sdxl).toBeUndefined();
  });

  it('names the missing tokenizer_2 and an encoder without hidden_states outputs', async () => {
    const noTokenizer = join(scratch, 'no-tokenizer-2');
    cpSync(SDXL, noTokenizer, { recursive: true });
    rmSync(join(noTokenizer, 'tokenizer_2'), { recursive: true });
    expect(checkPipelineFolder(noTokenizer)).toEqual([
      'tokenizer_2/vocab.json is missing',
      'tokenizer_2/merges.txt is missing',
    ]);

    const noHidden = join(scratch, 'no-hidden');
    cpSync(SDXL, noHidden, { recursive: true });
    // An SD text encoder has last_hidden_state and pooler_output only.
    cpSync(join(FIXTURE_MODELS, 'diffusion', 'tiny-sd-fp32', 'text_encoder'), join(noHidden, 'text_encoder'), {
      recursive: true,
    });
    await expect(loadPipeline(noHidden, countingCaches())).rejects.toThrow(
      /text_encoder\/model\.onnx has no hidden_states\.\* outputs.*optimum-cli export onnx/,
    );
  });

  it('the memory estimate counts text_encoder_2 among the weights', () => {
    let bytes = 0;
    for (const part of ['unet', 'text_encoder', 'text_encoder_2', 'vae_decoder', 'vae_encoder'])
      for (const file of readdirSync(join(SDXL, part))) bytes += statSync(join(SDXL, part, file)).size;
    expect(pipelineShape(SDXL).weightsBytes).toBe(bytes);
    expect(pipelineShape(REFINER).weightsBytes).toBeGreaterThan(statSync(join(REFINER, 'unet', 'model.onnx')).size);
  });
});

describe('penultimateHiddenState', () => {
  it('is hidden_states.(N-1) of hidden_states.0 … N, in any order', () => {
    expect(penultimateHiddenState(['text_embeds', 'hidden_states.2', 'hidden_states.0', 'hidden_states.1'])).toBe(
      'hidden_states.1',
    );
    expect(penultimateHiddenState(['last_hidden_state', 'pooler_output'])).toBeUndefined();
    expect(penultimateHiddenState(['hidden_states.0'])).toBeUndefined();
  });
});

describe('SDXL text encoding (ComfyUI SDXLClipModel)', () => {
  it('concatenates clip_l and clip_g penultimate states per token; pooled is clip_g text_embeds', async () => {
    const clip = await sdxlClip(SDXL);
    const entry = await encodePrompt(clip, 'a red cat', caches);
    const l = await run(join(SDXL, 'text_encoder', 'model.onnx'), [row(['a', 'red', 'cat'], EOS)], ['hidden_states.1']);
    const g = await run(
      join(SDXL, 'text_encoder_2', 'model.onnx'),
      [row(['a', 'red', 'cat'], BANG)],
      ['hidden_states.2', 'text_embeds'],
    );
    expect(entry.dim).toBe(16 + 24);
    expect(entry.tokens).toBe(77);
    expect(maxDiff(entry.embeddings, concat(l['hidden_states.1']!, 16, g['hidden_states.2']!, 24, 77))).toBeLessThan(
      1e-6,
    );
    expect(maxDiff(entry.pooled!, g.text_embeds!)).toBeLessThan(1e-6);
  });

  it('weights each encoder against its own empty prompt (clip_g pads the empty prompt with "!")', async () => {
    const clip = await sdxlClip(SDXL);
    const entry = await encodePrompt(clip, 'a (red:1.5) cat', caches);
    const words = ['a', 'red', 'cat'];
    const weighted = new Set([1 + tokenizer.encode('a').length]);
    for (let i = 1; i < tokenizer.encode('red').length; i++) weighted.add(1 + tokenizer.encode('a').length + i);
    const expectWeighted = (out: Float32Array, empty: Float32Array, dim: number): Float32Array => {
      const z = out.slice();
      for (const j of weighted)
        for (let k = 0; k < dim; k++)
          z[j * dim + k] = (out[j * dim + k]! - empty[j * dim + k]!) * 1.5 + empty[j * dim + k]!;
      return z;
    };
    const l = await run(join(SDXL, 'text_encoder', 'model.onnx'), [row(words, EOS), row([], EOS)], ['hidden_states.1']);
    const g = await run(
      join(SDXL, 'text_encoder_2', 'model.onnx'),
      [row(words, BANG), row([], BANG)],
      ['hidden_states.2', 'text_embeds'],
    );
    const zl = expectWeighted(l['hidden_states.1']!.subarray(0, 77 * 16), l['hidden_states.1']!.subarray(77 * 16), 16);
    const zg = expectWeighted(g['hidden_states.2']!.subarray(0, 77 * 24), g['hidden_states.2']!.subarray(77 * 24), 24);
    expect(maxDiff(entry.embeddings, concat(zl, 16, zg, 24, 77))).toBeLessThan(1e-5);
    expect(maxDiff(entry.pooled!, g.text_embeds!.subarray(0, 20))).toBeLessThan(1e-6);
    // The weights changed something: the unweighted prompt differs.
    const plain = await encodePrompt(clip, 'a red cat', caches);
    expect(maxDiff(entry.embeddings, plain.embeddings)).toBeGreaterThan(1e-3);
  });

  it('text_g and text_l apart; the shorter is padded with empty chunks (CLIPTextEncodeSDXL)', async () => {
    const clip = await sdxlClip(SDXL);
    const long = Array.from({ length: 100 }, () => 'cat');
    const entry = await encodeSdxl(clip.sdxl!, clip.pipeline, { g: 'red', l: long.join(' ') }, caches);
    expect(entry.tokens).toBe(154);
    const perChunk = 75 / tokenizer.encode('cat').length;
    const l = await run(
      join(SDXL, 'text_encoder', 'model.onnx'),
      [row(long.slice(0, perChunk), EOS), row(long.slice(perChunk), EOS)],
      ['hidden_states.1'],
    );
    const g = await run(
      join(SDXL, 'text_encoder_2', 'model.onnx'),
      [row(['red'], BANG), row([], BANG)],
      ['hidden_states.2', 'text_embeds'],
    );
    expect(maxDiff(entry.embeddings, concat(l['hidden_states.1']!, 16, g['hidden_states.2']!, 24, 154))).toBeLessThan(
      1e-6,
    );
    expect(maxDiff(entry.pooled!, g.text_embeds!.subarray(0, 20))).toBeLessThan(1e-6);
  });

  it('the refiner encodes with clip_g only', async () => {
    const clip = await sdxlClip(REFINER);
    const entry = await encodePrompt(clip, 'red cat', caches);
    const g = await run(
      join(REFINER, 'text_encoder_2', 'model.onnx'),
      [row(['red', 'cat'], BANG)],
      ['hidden_states.2', 'text_embeds'],
    );
    expect(entry.dim).toBe(24);
    expect(maxDiff(entry.embeddings, g['hidden_states.2']!)).toBeLessThan(1e-6);
    expect(maxDiff(entry.pooled!, g.text_embeds!)).toBeLessThan(1e-6);
  });

  it('does not read last_hidden_state (the final layer norm is skipped)', async () => {
    const clip = await sdxlClip(SDXL);
    const entry = await encodePrompt(clip, 'cat', caches);
    const g = await run(join(SDXL, 'text_encoder_2', 'model.onnx'), [row(['cat'], BANG)], ['last_hidden_state']);
    const gPart = new Float32Array(77 * 24);
    for (let t = 0; t < 77; t++) gPart.set(entry.embeddings.subarray(t * 40 + 16, t * 40 + 40), t * 24);
    expect(maxDiff(gPart, g.last_hidden_state!)).toBeGreaterThan(1e-2);
  });
});
