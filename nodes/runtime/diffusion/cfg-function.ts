import type { CfgFunction } from './guider.js';
import type { DiffusionModel } from './types.js';

/** uncond + (cond − uncond)·scale: ComfyUI's cfg_function without a sampler_cfg_function. */
export function plainCfg(cond: Float32Array, uncond: Float32Array, scale: number): Float32Array {
  const out = new Float32Array(cond.length);
  for (let i = 0; i < out.length; i++) out[i] = uncond[i]! + (cond[i]! - uncond[i]!) * scale;
  return out;
}

/** torch.std over one item's values (unbiased, as torch's default). */
function standardDeviation(values: Float32Array): number {
  let mean = 0;
  for (const value of values) mean += value;
  mean /= values.length;
  let sum = 0;
  for (const value of values) sum += (value - mean) ** 2;
  return Math.sqrt(sum / Math.max(1, values.length - 1));
}

/**
 * RescaleCFG's sampler_cfg_function (Lin et al. 2023, as ComfyUI's nodes_model_advanced applies it): CFG done on the
 * v-prediction outputs, whose per-item standard deviation is rescaled to the conditional one's and blended by
 * `multiplier`; returned as a denoised estimate.
 */
export function rescaledCfg(multiplier: number, itemSize: number): CfgFunction {
  return (cond, uncond, scale, x, sigma) => {
    const inputScale = 1 / (sigma * sigma + 1);
    const toV = Math.sqrt(sigma * sigma + 1) / sigma;
    const out = new Float32Array(x.length);
    for (let start = 0; start < x.length; start += itemSize) {
      const end = start + itemSize;
      const condV = new Float32Array(itemSize);
      const cfgV = new Float32Array(itemSize);
      for (let i = start; i < end; i++) {
        const scaled = x[i]! * inputScale;
        const c = (scaled - cond[i]!) * toV;
        const u = (scaled - uncond[i]!) * toV;
        condV[i - start] = c;
        cfgV[i - start] = u + scale * (c - u);
      }
      const ratio = standardDeviation(condV) / standardDeviation(cfgV);
      const back = sigma / Math.sqrt(sigma * sigma + 1);
      for (let i = start; i < end; i++) {
        const v = cfgV[i - start]!;
        const final = multiplier * v * ratio + (1 - multiplier) * v;
        out[i] = x[i]! * inputScale - final * back;
      }
    }
    return out;
  };
}

/** The cfg_function a model's patches give it (RescaleCFG's multiplier, or none). */
export function cfgFunctionFor(model: Pick<DiffusionModel, 'cfgRescale'>, itemSize: number): CfgFunction {
  return model.cfgRescale !== undefined ? rescaledCfg(model.cfgRescale, itemSize) : plainCfg;
}
