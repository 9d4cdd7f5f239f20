import type { RasterU8 } from './raster.js';

/** A model's Latent2RGB factors: how each latent channel maps to RGB. */
export interface LatentRgb {
  /** Rows: latent channels; columns: R, G, B. */
  readonly factors: readonly (readonly [number, number, number])[];
  readonly bias: readonly [number, number, number];
}

/** One latent item: channel planes of height × width values. */
export interface LatentPlanes {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/**
 * ComfyUI's Latent2RGB preview of one latent item (the first, for a batch) of a model-space x0:
 * rgb = Σ x0[k]·F[k] + bias, then clamp((rgb + 1)/2) at latent resolution. Pure.
 */
export function latentToRgbPreview(x0: LatentPlanes, latentRgb: LatentRgb): RasterU8 {
  const { height, width, channels } = x0;
  const plane = height * width;
  if (x0.data.length < channels * plane)
    throw new Error(`a ${channels}×${height}×${width} latent needs ${channels * plane} values, got ${x0.data.length}`);
  if (latentRgb.factors.length !== channels)
    throw new Error(`Latent2RGB has factors for ${latentRgb.factors.length} channels, the latent has ${channels}`);
  // (rgb + 1)/2·255 folded into the factors and bias: one multiply-add per channel and colour per pixel.
  const factors = new Float64Array(channels * 3);
  for (let k = 0; k < channels; k++) for (let c = 0; c < 3; c++) factors[k * 3 + c] = latentRgb.factors[k]![c]! * 127.5;
  const bias = latentRgb.bias.map((value) => (value + 1) * 127.5);
  const data = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const values = new Float64Array(plane).fill(bias[c]!);
    for (let k = 0; k < channels; k++) {
      const factor = factors[k * 3 + c]!;
      const offset = k * plane;
      for (let p = 0; p < plane; p++) values[p] = values[p]! + x0.data[offset + p]! * factor;
    }
    for (let p = 0; p < plane; p++) {
      const value = values[p]!;
      data[p * 3 + c] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
    }
  }
  return { width, height, channels: 3, data };
}
