import { fixedDim, type InputInfo } from '../onnx/session.js';
import type { MemoryPart } from './memory-profile.js';

/**
 * The inputs `inkgraph calibrate-memory` feeds one part of a pipeline, shaped from what the model declares (names,
 * ranks, fixed dimensions), so SD 1.x, SDXL (text_embeds, time_ids), LCM (timestep_cond) and 9-channel inpainting
 * UNets are all measured on the shapes the sampler gives them. Pure.
 */

export interface ProbeFeedShape {
  readonly dims: readonly number[];
  /** Every element's value (zeros, but a timestep in the middle of the schedule). */
  readonly fill: number;
}

export interface ProbeSize {
  /** Latent cells along each side. */
  readonly side: number;
  readonly rows: number;
  /** Pixels per latent cell, for the VAE encoder's image. */
  readonly downscale: number;
  /** The VAE's latent channels, for inputs that do not fix their own. */
  readonly latentChannels: number;
}

/** CLIP's chunk length, which SD 1.x and SDXL tokenizers share. */
const TOKENS = 77;

/** The input whose first dimension is the batch, per part. */
const BATCH_INPUT: Record<MemoryPart, string> = {
  unet: 'sample',
  vae_decoder: 'latent_sample',
  vae_encoder: 'sample',
  text_encoder: 'input_ids',
  text_encoder_2: 'input_ids',
};

type Shaper = (info: InputInfo, size: ProbeSize) => ProbeFeedShape;

const zeros = (dims: readonly number[]): ProbeFeedShape => ({ dims, fill: 0 });
const dimOr = (info: InputInfo, index: number, fallback: number): number => fixedDim(info, index) ?? fallback;

const unetInputs: Record<string, Shaper> = {
  sample: (info, { rows, side, latentChannels }) => zeros([rows, dimOr(info, 1, latentChannels), side, side]),
  // The sampler feeds one timestep for the whole call: a scalar or [1], as declared.
  timestep: (info) => ({ dims: info.shape.length === 0 ? [] : [1], fill: 500 }),
  encoder_hidden_states: (info, { rows }) => zeros([rows, dimOr(info, 1, TOKENS), dimOr(info, 2, 768)]),
  text_embeds: (info, { rows }) => zeros([rows, dimOr(info, 1, 1280)]),
  time_ids: (info, { rows }) => zeros([rows, dimOr(info, 1, 6)]),
  timestep_cond: (info, { rows }) => zeros([rows, dimOr(info, 1, 256)]),
};

const partInputs: Record<MemoryPart, Record<string, Shaper>> = {
  unet: unetInputs,
  vae_decoder: {
    latent_sample: (info, { rows, side, latentChannels }) => zeros([rows, dimOr(info, 1, latentChannels), side, side]),
  },
  vae_encoder: {
    sample: (info, { rows, side, downscale }) => zeros([rows, dimOr(info, 1, 3), side * downscale, side * downscale]),
  },
  text_encoder: { input_ids: (info, { rows }) => zeros([rows, dimOr(info, 1, TOKENS)]) },
  text_encoder_2: { input_ids: (info, { rows }) => zeros([rows, dimOr(info, 1, TOKENS)]) },
};

/** An input this table does not know: its fixed dimensions, the batch first, any other free one 1. */
function otherInput(info: InputInfo, rows: number): ProbeFeedShape {
  return zeros(info.shape.map((dim, index) => (typeof dim === 'number' && dim > 0 ? dim : index === 0 ? rows : 1)));
}

/** The most rows a part takes in one call (a static batch), or undefined when any number goes. */
export function probeMaxRows(part: MemoryPart, inputs: ReadonlyMap<string, InputInfo>): number | undefined {
  return fixedDim(inputs.get(BATCH_INPUT[part]), 0);
}

/** The channels a UNet's `sample` takes, where it fixes them. */
export function unetInChannels(inputs: ReadonlyMap<string, InputInfo>): number | undefined {
  return fixedDim(inputs.get('sample'), 1);
}

/** One shape per input the model declares, for `size.rows` rows at `size.side`² latent cells. */
export function probeFeedShapes(
  part: MemoryPart,
  inputs: ReadonlyMap<string, InputInfo>,
  size: ProbeSize,
): Record<string, ProbeFeedShape> {
  const batchInput = BATCH_INPUT[part];
  if (!inputs.has(batchInput)) throw new Error(`${part}/model.onnx has no ${batchInput} input`);
  const maxRows = probeMaxRows(part, inputs);
  if (maxRows !== undefined && size.rows > maxRows)
    throw new Error(`${part}/model.onnx takes batches of ${maxRows}, not ${size.rows}`);
  const shapers = partInputs[part];
  const feeds: Record<string, ProbeFeedShape> = {};
  for (const [name, info] of inputs) {
    const shaper = shapers[name];
    feeds[name] = shaper ? shaper(info, size) : otherInput(info, size.rows);
  }
  return feeds;
}
