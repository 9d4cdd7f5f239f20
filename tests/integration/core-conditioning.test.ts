import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RasterU8 } from '../../media/raster.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { copyFixtureModels } from '../helpers/diffusion.js';
import { postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';

/**
 * The conditioning nodes through the server on the tiny fixtures: where ComfyUI's semantics say two graphs give
 * the same estimate (a whole-image area, an all-white mask, a 0–1 timestep range, an entry combined or averaged
 * with itself) the images are equal; where they say the estimate changes, they differ. And the 9-channel fixture
 * inpaints: its UNet is fed the mask and masked latent, and outside the noise mask the latent is kept exactly.
 */

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer();
  copyFixtureModels(server.dirs.modelsDir);
  socket = await TestSocket.open(server.url, 'conditioning');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

type Link = [string, number];

/** A KSampler → VAEDecode → SaveImage branch named `id`, all from the same seed and empty latent. */
function branch(id: string, positive: Link, negative: Link = ['B', 0], latent: Link = ['empty', 0]): ApiPrompt {
  return {
    [`${id}k`]: {
      class_type: 'KSampler',
      inputs: {
        seed: 7,
        steps: 4,
        cfg: 4,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['ckpt', 0],
        positive,
        negative,
        latent_image: latent,
      },
    },
    [`${id}d`]: { class_type: 'VAEDecode', inputs: { samples: [`${id}k`, 0], vae: ['ckpt', 2] } },
    [`${id}s`]: { class_type: 'SaveImage', inputs: { images: [`${id}d`, 0], filename_prefix: id } },
  };
}

function maxDifference(a: RasterU8, b: RasterU8): number {
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

describe('conditioning nodes in one workflow through the server', () => {
  it('gives the same image where ComfyUI’s semantics are the identity, and another where they are not', async () => {
    const prompt: ApiPrompt = {
      ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd-fp32' } },
      A: { class_type: 'CLIPTextEncode', inputs: { text: 'a red cat', clip: ['ckpt', 1] } },
      B: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['ckpt', 1] } },
      empty: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 128, batch_size: 1 } },
      white: { class_type: 'SolidMask', inputs: { value: 1, width: 64, height: 128 } },
      area: {
        class_type: 'ConditioningSetArea',
        inputs: { conditioning: ['A', 0], width: 64, height: 128, x: 0, y: 0, strength: 1 },
      },
      percent: {
        class_type: 'ConditioningSetAreaPercentage',
        inputs: { conditioning: ['A', 0], width: 1, height: 1, x: 0, y: 0, strength: 1 },
      },
      mask: {
        class_type: 'ConditioningSetMask',
        inputs: { conditioning: ['A', 0], mask: ['white', 0], strength: 1, set_cond_area: 'default' },
      },
      range: { class_type: 'ConditioningSetTimestepRange', inputs: { conditioning: ['A', 0], start: 0, end: 1 } },
      combined: { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['A', 0], conditioning_2: ['A', 0] } },
      averaged: {
        class_type: 'ConditioningAverage',
        inputs: { conditioning_to: ['A', 0], conditioning_from: ['A', 0], conditioning_to_strength: 0.3 },
      },
      zero: { class_type: 'ConditioningZeroOut', inputs: { conditioning: ['B', 0] } },
      concat: { class_type: 'ConditioningConcat', inputs: { conditioning_to: ['A', 0], conditioning_from: ['B', 0] } },
      early: { class_type: 'ConditioningSetTimestepRange', inputs: { conditioning: ['A', 0], start: 0, end: 0.2 } },
      late: { class_type: 'ConditioningSetTimestepRange', inputs: { conditioning: ['B', 0], start: 0.2, end: 1 } },
      switched: {
        class_type: 'ConditioningCombine',
        inputs: { conditioning_1: ['early', 0], conditioning_2: ['late', 0] },
      },
      earlyB: { class_type: 'ConditioningSetTimestepRange', inputs: { conditioning: ['B', 0], start: 0, end: 0.2 } },
      lateA: { class_type: 'ConditioningSetTimestepRange', inputs: { conditioning: ['A', 0], start: 0.2, end: 1 } },
      switchedB: {
        class_type: 'ConditioningCombine',
        inputs: { conditioning_1: ['earlyB', 0], conditioning_2: ['lateA', 0] },
      },
      half: {
        class_type: 'ConditioningSetArea',
        inputs: { conditioning: ['B', 0], width: 64, height: 64, x: 0, y: 64, strength: 1 },
      },
      strong: { class_type: 'ConditioningSetAreaStrength', inputs: { conditioning: ['half', 0], strength: 3 } },
      regional: {
        class_type: 'ConditioningCombine',
        inputs: { conditioning_1: ['A', 0], conditioning_2: ['half', 0] },
      },
      regionalStrong: {
        class_type: 'ConditioningCombine',
        inputs: { conditioning_1: ['A', 0], conditioning_2: ['strong', 0] },
      },
      ...branch('plain', ['A', 0]),
      ...branch('area', ['area', 0]),
      ...branch('percent', ['percent', 0]),
      ...branch('mask', ['mask', 0]),
      ...branch('range', ['range', 0]),
      ...branch('combined', ['combined', 0]),
      ...branch('averaged', ['averaged', 0]),
      ...branch('zero', ['A', 0], ['zero', 0]),
      ...branch('concat', ['concat', 0]),
      ...branch('switched', ['switched', 0]),
      ...branch('switchedB', ['switchedB', 0]),
      ...branch('other', ['B', 0]),
      ...branch('regional', ['regional', 0]),
      ...branch('regionalStrong', ['regionalStrong', 0]),
    };
    const entry = await runToHistory(server, socket, prompt);
    const image = (id: string): RasterU8 => savedImages(server, entry, `${id}s`)[0]!;
    const plain = image('plain');
    for (const same of ['area', 'percent', 'mask', 'range']) expect(maxDifference(image(same), plain), same).toBe(0);
    // Sums of equal estimates divided by their weights: equal up to float rounding.
    for (const same of ['combined', 'averaged']) expect(maxDifference(image(same), plain), same).toBeLessThanOrEqual(1);
    for (const changed of ['zero', 'concat', 'switchedB', 'other', 'regional'])
      expect(maxDifference(image(changed), plain), changed).toBeGreaterThan(2);
    // The first step (σ 14.6, before 20%) weighs most on this tiny UNet: A then B is near A, B then A near B, but
    // neither is either prompt alone.
    expect(maxDifference(image('switched'), image('other'))).toBeGreaterThan(2);
    expect(maxDifference(image('switched'), plain)).toBeGreaterThan(0);
    expect(maxDifference(image('switchedB'), image('other'))).toBeGreaterThan(0);
    expect(maxDifference(image('regionalStrong'), image('regional'))).toBeGreaterThan(2);
    // The bottom-half area (64×64 of a 64×128 image) leaves the top rows, beyond its 8-cell fade, as A alone makes them.
    const regional = image('regional');
    const topRows = (raster: RasterU8): Uint8Array => raster.data.subarray(0, 64 * raster.width * raster.channels);
    expect(maxDifference({ ...regional, data: topRows(regional) }, { ...plain, data: topRows(plain) })).toBe(0);
  });
});

describe('a 9-channel inpainting UNet (tiny-sd-inpaint)', () => {
  it('is fed the mask and masked latent, and keeps the latent outside the noise mask exactly', async () => {
    const masks: ApiPrompt = {
      black: { class_type: 'SolidMask', inputs: { value: 0, width: 64, height: 64 } },
      block: { class_type: 'SolidMask', inputs: { value: 1, width: 32, height: 64 } },
      right: {
        class_type: 'MaskComposite',
        inputs: { destination: ['black', 0], source: ['block', 0], x: 32, y: 0, operation: 'add' },
      },
      left: { class_type: 'InvertMask', inputs: { mask: ['right', 0] } },
    };
    const prompt: ApiPrompt = {
      ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd-inpaint' } },
      A: { class_type: 'CLIPTextEncode', inputs: { text: 'a red cat', clip: ['ckpt', 1] } },
      B: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['ckpt', 1] } },
      image: { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      pixels: {
        class_type: 'ImageScale',
        inputs: { image: ['image', 0], upscale_method: 'bilinear', width: 64, height: 64, crop: 'disabled' },
      },
      ...masks,
      encoded: { class_type: 'VAEEncode', inputs: { pixels: ['pixels', 0], vae: ['ckpt', 2] } },
      ...branch('roundtrip', ['A', 0], ['B', 0], ['encoded', 0]),
      // Concat only (noise_mask off): two masks, two images.
      condRight: {
        class_type: 'InpaintModelConditioning',
        inputs: {
          positive: ['A', 0],
          negative: ['B', 0],
          vae: ['ckpt', 2],
          pixels: ['pixels', 0],
          mask: ['right', 0],
          noise_mask: false,
        },
      },
      condLeft: {
        class_type: 'InpaintModelConditioning',
        inputs: {
          positive: ['A', 0],
          negative: ['B', 0],
          vae: ['ckpt', 2],
          pixels: ['pixels', 0],
          mask: ['left', 0],
          noise_mask: false,
        },
      },
      ...branch('concatRight', ['condRight', 0], ['condRight', 1], ['condRight', 2]),
      ...branch('concatLeft', ['condLeft', 0], ['condLeft', 1], ['condLeft', 2]),
      // The noise mask: the right half changes, the left is the VAE's round trip of the image, pixel for pixel.
      forInpaint: {
        class_type: 'VAEEncodeForInpaint',
        inputs: { pixels: ['pixels', 0], vae: ['ckpt', 2], mask: ['right', 0], grow_mask_by: 0 },
      },
      ...branch('forInpaint', ['A', 0], ['B', 0], ['forInpaint', 0]),
      noiseMask: { class_type: 'SetLatentNoiseMask', inputs: { samples: ['encoded', 0], mask: ['right', 0] } },
      ...branch('noiseMask', ['A', 0], ['B', 0], ['noiseMask', 0]),
      keep: { class_type: 'VAEDecode', inputs: { samples: ['encoded', 0], vae: ['ckpt', 2] } },
      keepSave: { class_type: 'SaveImage', inputs: { images: ['keep', 0], filename_prefix: 'keep' } },
    };
    const entry = await runToHistory(server, socket, prompt);
    const image = (node: string): RasterU8 => savedImages(server, entry, node)[0]!;
    expect(maxDifference(image('concatRights'), image('concatLefts'))).toBeGreaterThan(2);
    const kept = image('keepSave');
    const half = (raster: RasterU8, from: number): RasterU8 => {
      const data = new Uint8Array(raster.height * 32 * raster.channels);
      for (let y = 0; y < raster.height; y++)
        data.set(
          raster.data.subarray(
            (y * raster.width + from) * raster.channels,
            (y * raster.width + from + 32) * raster.channels,
          ),
          y * 32 * raster.channels,
        );
      return { ...raster, width: 32, data };
    };
    for (const node of ['noiseMasks', 'forInpaints']) {
      expect(maxDifference(half(image(node), 0), half(kept, 0)), node).toBe(0);
      expect(maxDifference(half(image(node), 32), half(kept, 32)), node).toBeGreaterThan(2);
    }
  });
});

describe('CLIPSetLastLayer', () => {
  function clipSkip(ckpt: string, stops: readonly (number | undefined)[]): ApiPrompt {
    const prompt: ApiPrompt = {
      ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
      empty: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    };
    stops.forEach((stop, index) => {
      const clip: Link = stop === undefined ? ['ckpt', 1] : [`skip${index}`, 0];
      if (stop !== undefined)
        prompt[`skip${index}`] = {
          class_type: 'CLIPSetLastLayer',
          inputs: { clip: ['ckpt', 1], stop_at_clip_layer: stop },
        };
      prompt[`p${index}`] = { class_type: 'CLIPTextEncode', inputs: { text: 'a red cat, (blurry:1.3)', clip } };
      prompt[`n${index}`] = { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip } };
      Object.assign(prompt, branch(`layer${index}`, [`p${index}`, 0], [`n${index}`, 0]));
    });
    return prompt;
  }

  it('reads earlier layers of an SD1 export with hidden states (−1 and beyond its depth: the last)', async () => {
    const entry = await runToHistory(server, socket, clipSkip('tiny-sd-clip-skip', [undefined, -1, -2, -3, -24]));
    const image = (index: number): RasterU8 => savedImages(server, entry, `layer${index}s`)[0]!;
    expect(maxDifference(image(1), image(0))).toBe(0);
    expect(maxDifference(image(4), image(0))).toBe(0);
    expect(maxDifference(image(2), image(0))).toBeGreaterThan(2);
    expect(maxDifference(image(3), image(2))).toBeGreaterThan(2);
  });

  it('sets both SDXL encoders’ layer (their default is −2)', async () => {
    const entry = await runToHistory(server, socket, clipSkip('tiny-sdxl', [undefined, -2, -1]));
    const image = (index: number): RasterU8 => savedImages(server, entry, `layer${index}s`)[0]!;
    expect(maxDifference(image(1), image(0))).toBe(0);
    expect(maxDifference(image(2), image(0))).toBeGreaterThan(2);
  });

  it('names the node, the field and how to re-export when the export has no hidden states', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: clipSkip('tiny-sd-fp32', [-2]),
      client_id: socket.clientId,
    });
    const promptId = (response.json as { prompt_id: string }).prompt_id;
    const messages = await socket.waitForEnd(promptId);
    const error = messages.find((message) => message.type === 'execution_error');
    expect(error?.data).toMatchObject({ node_type: 'CLIPSetLastLayer' });
    expect(JSON.stringify(error?.data)).toMatch(/stop_at_clip_layer: .*hidden_states.*re-export/);
  });
});
