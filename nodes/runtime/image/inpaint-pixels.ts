import type { ImageBatch, MaskBatch } from '../../contract/socket-types.js';
import { resizeMask } from './masks.js';
import { pythonRound } from './python-round.js';

/**
 * The pixel side of ComfyUI's inpainting encoders (VAEEncodeForInpaint, InpaintModelConditioning in nodes.py):
 * the mask resized to the image, both cropped to the VAE's cell like the encoder crops, the masked pixels set to
 * 0.5 grey, and for VAEEncodeForInpaint the mask grown so the latent's edge is covered. Pure.
 */

export interface InpaintPixels {
  /** The cropped image with the masked pixels grey. */
  readonly masked: ImageBatch;
  /** The mask at the cropped image's size (not rounded). */
  readonly mask: MaskBatch;
}

function cropImage(image: ImageBatch, x: number, y: number, width: number, height: number): ImageBatch {
  const data = new Float32Array(image.batch * height * width * image.channels);
  for (let b = 0; b < image.batch; b++)
    for (let row = 0; row < height; row++) {
      const from = ((b * image.height + y + row) * image.width + x) * image.channels;
      data.set(image.data.subarray(from, from + width * image.channels), (b * height + row) * width * image.channels);
    }
  return { ...image, width, height, data };
}

function cropMask(mask: MaskBatch, x: number, y: number, width: number, height: number): MaskBatch {
  const data = new Float32Array(mask.batch * height * width);
  for (let b = 0; b < mask.batch; b++)
    for (let row = 0; row < height; row++) {
      const from = (b * mask.height + y + row) * mask.width + x;
      data.set(mask.data.subarray(from, from + width), (b * height + row) * width);
    }
  return { batch: mask.batch, width, height, data };
}

export function maskPixelsForInpaint(pixels: ImageBatch, mask: MaskBatch, cell: number): InpaintPixels {
  const height = Math.floor(pixels.height / cell) * cell;
  const width = Math.floor(pixels.width / cell) * cell;
  if (height === 0 || width === 0)
    throw new Error(`the image (${pixels.width}×${pixels.height}) is smaller than the VAE's ${cell}-pixel cell`);
  let image = pixels;
  let sized = resizeMask(mask, pixels.width, pixels.height);
  if (height !== pixels.height || width !== pixels.width) {
    const y = Math.floor((pixels.height % cell) / 2);
    const x = Math.floor((pixels.width % cell) / 2);
    image = cropImage(pixels, x, y, width, height);
    sized = cropMask(sized, x, y, width, height);
  }
  const data = Float32Array.from(image.data);
  const plane = width * height;
  for (let b = 0; b < image.batch; b++) {
    // A mask batch shorter than the image's is cycled (torch broadcasting of a single mask).
    const maskItem = b % sized.batch;
    for (let i = 0; i < plane; i++) {
      const keep = 1 - pythonRound(sized.data[maskItem * plane + i]!);
      for (let c = 0; c < 3; c++) {
        const index = (b * plane + i) * image.channels + c;
        data[index] = (data[index]! - 0.5) * keep + 0.5;
      }
    }
  }
  return { masked: { ...image, data }, mask: sized };
}

/**
 * VAEEncodeForInpaint's noise mask: the rounded mask convolved with a grow×grow box (padding ⌈(grow−1)/2⌉),
 * clamped to 1, cut back to the image's size, rounded.
 */
export function growInpaintMask(mask: MaskBatch, grow: number): MaskBatch {
  if (grow === 0) return { ...mask, data: mask.data.map(pythonRound) };
  const pad = Math.ceil((grow - 1) / 2);
  const { width, height } = mask;
  const data = new Float32Array(mask.data.length);
  for (let b = 0; b < mask.batch; b++) {
    const base = b * width * height;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let ky = 0; ky < grow && sum === 0; ky++) {
          const sy = y - pad + ky;
          if (sy < 0 || sy >= height) continue;
          for (let kx = 0; kx < grow; kx++) {
            const sx = x - pad + kx;
            if (sx >= 0 && sx < width) sum += pythonRound(mask.data[base + sy * width + sx]!);
          }
        }
        data[base + y * width + x] = pythonRound(Math.min(1, Math.max(0, sum)));
      }
  }
  return { ...mask, data };
}
