import type { MaskBatch } from '../../contract/socket-types.js';
import { resizePixels } from '../image/resize.js';
import type { LatentGrid } from './cond-batch.js';
import { pythonRound } from '../image/python-round.js';
import type { Tensor4 } from './types.js';

/**
 * What inpainting adds to sampling, as ComfyUI does it: the latent's `noise_mask` becomes the denoise mask
 * (comfy/sampler_helpers.py prepare_mask), and 9-channel inpainting UNets get [mask, masked latent] concatenated
 * to their input (comfy/model_base.py concat_cond). Pure.
 */

/** ComfyUI's repeat_to_batch_size: a shorter batch is cycled, a longer one cut. */
export function cycledIndex(batch: number, index: number): number {
  return index % batch;
}

/** ComfyUI's resize_to_batch_size: items picked evenly from a batch of another size. */
export function resizedBatchIndex(inBatch: number, outBatch: number, index: number): number {
  if (inBatch === outBatch || outBatch <= 1) return index;
  if (outBatch < inBatch) return Math.min(Math.round(index * ((inBatch - 1) / (outBatch - 1))), inBatch - 1);
  return Math.min(Math.floor((index + 0.5) * (inBatch / outBatch)), inBatch - 1);
}

/** The noise mask on the latent grid, one [H, W] plane per latent item (bilinear, cycled over the batch). */
export function denoiseMaskPlanes(mask: MaskBatch, grid: LatentGrid): Float32Array[] {
  const resized =
    mask.height === grid.height && mask.width === grid.width
      ? mask.data
      : resizePixels(
          { batch: mask.batch, height: mask.height, width: mask.width, channels: 1, data: mask.data },
          grid.width,
          grid.height,
          'bilinear',
          'disabled',
          undefined,
          false,
        ).data;
  const plane = grid.height * grid.width;
  return Array.from({ length: grid.batch }, (_, b) => {
    const item = cycledIndex(mask.batch, b);
    return resized.subarray(item * plane, (item + 1) * plane);
  });
}

/** SD 1.x's latent of a black image (ComfyUI's blank_inpaint_image_like), for inpainting UNets given no mask. */
const BLANK_INPAINT_LATENT = [0.8223, -0.6876, 0.6364, 0.138];

function centreResized(tensor: Tensor4, grid: LatentGrid): Float32Array {
  if (tensor.height === grid.height && tensor.width === grid.width) return tensor.data;
  // Channels ride along as a batch of one-channel planes (bilinear, centre crop: common_upscale).
  return resizePixels(
    {
      batch: tensor.batch * tensor.channels,
      height: tensor.height,
      width: tensor.width,
      channels: 1,
      data: tensor.data,
    },
    grid.width,
    grid.height,
    'bilinear',
    'center',
    undefined,
    false,
  ).data;
}

export interface ConcatSource {
  /** InpaintModelConditioning's masked-image latent (VAE space), else the latent being sampled is used. */
  readonly concatLatent: Tensor4 | undefined;
  /** InpaintModelConditioning's mask, else the latent's noise mask. */
  readonly mask: MaskBatch | undefined;
}

/**
 * The channels an inpainting UNet takes after the latent, for the whole batch [B, 1 + C, H, W]: the rounded mask and
 * the masked image's latent (scaled like the sampled latent), or ones and the blank latent without a mask.
 */
export function inpaintConcat(
  source: ConcatSource,
  scaledLatent: Float32Array,
  grid: LatentGrid,
  channels: number,
  scaleFactor: number,
): Float32Array {
  const plane = grid.height * grid.width;
  const itemSize = (1 + channels) * plane;
  const out = new Float32Array(grid.batch * itemSize);
  if (!source.mask) {
    if (channels !== BLANK_INPAINT_LATENT.length)
      throw new Error(
        `an inpainting UNet needs a mask for a ${channels}-channel latent: use InpaintModelConditioning or SetLatentNoiseMask`,
      );
    for (let b = 0; b < grid.batch; b++) {
      out.fill(1, b * itemSize, b * itemSize + plane);
      for (let c = 0; c < channels; c++) {
        const from = b * itemSize + (1 + c) * plane;
        out.fill(BLANK_INPAINT_LATENT[c]!, from, from + plane);
      }
    }
    return out;
  }
  const mask = source.mask;
  const maskGrid = centreResized(
    { batch: mask.batch, channels: 1, height: mask.height, width: mask.width, data: mask.data },
    grid,
  );
  let image = scaledLatent;
  let imageBatch = grid.batch;
  if (source.concatLatent) {
    const latent = source.concatLatent;
    if (latent.channels !== channels)
      throw new Error(`the inpainting latent has ${latent.channels} channels but the model works on ${channels}`);
    image = centreResized(latent, grid).map((value) => value * scaleFactor);
    imageBatch = latent.batch;
  }
  for (let b = 0; b < grid.batch; b++) {
    const maskItem = resizedBatchIndex(mask.batch, grid.batch, b);
    for (let i = 0; i < plane; i++) out[b * itemSize + i] = pythonRound(maskGrid[maskItem * plane + i]!);
    const imageItem = resizedBatchIndex(imageBatch, grid.batch, b);
    out.set(image.subarray(imageItem * channels * plane, (imageItem + 1) * channels * plane), b * itemSize + plane);
  }
  return out;
}
