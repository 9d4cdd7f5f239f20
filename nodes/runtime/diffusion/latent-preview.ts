import type { PreviewImage } from '../../define-node.js';
import type { LatentRgb, Tensor4 } from './types.js';

/**
 * ComfyUI's Latent2RGB preview of batch item 0 of a model-space x0: rgb = Σ x0[k]·F[k] + bias, then
 * clamp((rgb + 1)/2) at latent resolution. Pure.
 */
export function latentToRgbPreview(x0: Tensor4, latentRgb: LatentRgb): PreviewImage {
  const { height, width, channels } = x0;
  const plane = height * width;
  const data = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      let value = latentRgb.bias[c]!;
      for (let k = 0; k < channels; k++) value += x0.data[k * plane + p]! * latentRgb.factors[k]![c]!;
      const unit = (value + 1) / 2;
      data[p * 3 + c] = unit <= 0 ? 0 : unit >= 1 ? 255 : Math.round(unit * 255);
    }
  }
  return { width, height, channels: 3, data };
}
