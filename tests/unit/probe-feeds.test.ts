import { describe, expect, it } from 'vitest';
import type { InputInfo, InputType } from '../../nodes/runtime/onnx/session.js';
import { probeFeedShapes, probeMaxRows, unetInChannels } from '../../nodes/runtime/diffusion/probe-feeds.js';

type Dim = number | string;
/** Input info as the fixtures' ONNX files declare it (see tests/fixtures/diffusion/<name>/unet/model.onnx). */
function inputs(...list: [name: string, type: InputType, shape: Dim[]][]): Map<string, InputInfo> {
  return new Map(list.map(([name, type, shape]) => [name, { name, type, shape }]));
}

const sd15 = inputs(
  ['sample', 'float32', ['batch_size', 4, 'height', 'width']],
  ['timestep', 'int64', ['steps']],
  ['encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', 16]],
);
const sdxlBase = inputs(
  ['sample', 'float32', ['batch_size', 4, 'height', 'width']],
  ['timestep', 'int64', ['steps']],
  ['encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', 40]],
  ['text_embeds', 'float32', ['batch_size', 20]],
  ['time_ids', 'float32', ['batch_size', 6]],
);
const sdxlRefiner = inputs(
  ['sample', 'float32', ['batch_size', 4, 'height', 'width']],
  ['timestep', 'float32', []],
  ['encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', 24]],
  ['text_embeds', 'float32', ['batch_size', 20]],
  ['time_ids', 'float32', ['batch_size', 5]],
);
const inpaint = inputs(
  ['sample', 'float32', ['batch_size', 9, 'height', 'width']],
  ['timestep', 'int64', ['steps']],
  ['encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', 16]],
);
const lcm = inputs(
  ['sample', 'float32', ['batch_size', 4, 'height', 'width']],
  ['timestep', 'float32', ['steps']],
  ['encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', 16]],
  ['timestep_cond', 'float32', ['batch_size', 256]],
);
const staticBatch = inputs(
  ['sample', 'float32', [1, 4, 'height', 'width']],
  ['timestep', 'float32', [1]],
  ['encoder_hidden_states', 'float32', [1, 'sequence_length', 16]],
);
const size = { side: 16, rows: 2, downscale: 8, latentChannels: 4 };

describe('the feeds of a memory probe', () => {
  it('gives an SD 1.x UNet the three inputs it always had: sample, a [1] timestep of 500, 77 tokens of context', () => {
    expect(probeFeedShapes('unet', sd15, size)).toEqual({
      sample: { dims: [2, 4, 16, 16], fill: 0 },
      timestep: { dims: [1], fill: 500 },
      encoder_hidden_states: { dims: [2, 77, 16], fill: 0 },
    });
    expect(probeMaxRows('unet', sd15)).toBeUndefined();
    expect(unetInChannels(sd15)).toBe(4);
  });

  it('gives an SDXL base UNet text_embeds [rows, 20] and 6 time ids, at its own context width', () => {
    const feeds = probeFeedShapes('unet', sdxlBase, size);
    expect(Object.keys(feeds).sort()).toEqual([
      'encoder_hidden_states',
      'sample',
      'text_embeds',
      'time_ids',
      'timestep',
    ]);
    expect(feeds.encoder_hidden_states!.dims).toEqual([2, 77, 40]);
    expect(feeds.text_embeds).toEqual({ dims: [2, 20], fill: 0 });
    expect(feeds.time_ids).toEqual({ dims: [2, 6], fill: 0 });
  });

  it('gives the refiner 5 time ids, a scalar timestep and 24-wide context', () => {
    const feeds = probeFeedShapes('unet', sdxlRefiner, { ...size, rows: 1 });
    expect(feeds.time_ids!.dims).toEqual([1, 5]);
    expect(feeds.timestep).toEqual({ dims: [], fill: 500 });
    expect(feeds.encoder_hidden_states!.dims).toEqual([1, 77, 24]);
  });

  it("gives a 9-channel inpainting UNet a 9-channel sample, whatever the VAE's latent", () => {
    expect(probeFeedShapes('unet', inpaint, size).sample!.dims).toEqual([2, 9, 16, 16]);
    expect(unetInChannels(inpaint)).toBe(9);
  });

  it('gives an LCM UNet its timestep_cond', () => {
    expect(probeFeedShapes('unet', lcm, size).timestep_cond).toEqual({ dims: [2, 256], fill: 0 });
  });

  it('refuses more rows than a static batch takes, and says how many it does', () => {
    expect(probeMaxRows('unet', staticBatch)).toBe(1);
    expect(probeFeedShapes('unet', staticBatch, { ...size, rows: 1 }).sample!.dims).toEqual([1, 4, 16, 16]);
    expect(() => probeFeedShapes('unet', staticBatch, size)).toThrow('unet/model.onnx takes batches of 1, not 2');
  });

  it('feeds an input it does not know by its fixed dimensions, the batch first', () => {
    const extra = new Map(sd15);
    extra.set('added_cond', { name: 'added_cond', type: 'float32', shape: ['batch', 'n', 7] });
    expect(probeFeedShapes('unet', extra, size).added_cond).toEqual({ dims: [2, 1, 7], fill: 0 });
  });

  it('shapes the VAE and both text encoders', () => {
    const decoder = inputs(['latent_sample', 'float32', ['batch_size', 4, 'latent_height', 'latent_width']]);
    expect(probeFeedShapes('vae_decoder', decoder, size).latent_sample!.dims).toEqual([2, 4, 16, 16]);
    const decoder16 = inputs(['latent_sample', 'float16', ['batch_size', 'c', 'h', 'w']]);
    expect(probeFeedShapes('vae_decoder', decoder16, { ...size, latentChannels: 16 }).latent_sample!.dims).toEqual([
      2, 16, 16, 16,
    ]);
    const encoder = inputs(['sample', 'float32', ['batch_size', 3, 'height', 'width']]);
    expect(probeFeedShapes('vae_encoder', encoder, { ...size, downscale: 4 }).sample!.dims).toEqual([2, 3, 64, 64]);
    const clip = inputs(['input_ids', 'int64', ['batch_size', 'sequence_length']]);
    expect(probeFeedShapes('text_encoder', clip, { ...size, rows: 1 }).input_ids!.dims).toEqual([1, 77]);
    expect(probeFeedShapes('text_encoder_2', clip, { ...size, rows: 1 }).input_ids!.dims).toEqual([1, 77]);
    expect(() => probeFeedShapes('text_encoder_2', decoder, size)).toThrow(
      'text_encoder_2/model.onnx has no input_ids',
    );
  });
});
