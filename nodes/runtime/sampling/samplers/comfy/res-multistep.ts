import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { ancestralSigmas } from '../k-diffusion/euler.js';
import { combine } from './combine.js';

/** torch.nan_to_num(v, nan=0.0) for a scalar. */
const nanToZero = (v: number): number => (Number.isNaN(v) ? 0 : v);

/**
 * ComfyUI's res_multistep (RES, arXiv 2308.02157): a second-order exponential multistep step in λ = −log σ to the
 * ancestral σ_down, Euler on the first step and into σ = 0; then ancestral noise σ_up, drawn on every step that
 * ends above 0 even when σ_up is 0 (as ComfyUI draws it). With cfg_pp the step follows the unconditional estimate
 * and adds the guidance D − D_u (CFG++).
 */
function resMultistep(ancestral: boolean, cfgPp: boolean) {
  return async (x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> => {
    const eta = ancestral ? numberOption(options, 'eta', 1) : 0;
    const sNoise = numberOption(options, 's_noise', 1);
    const sigmas = run.sigmas;
    let x = x0;
    let oldDenoised: Float32Array | undefined;
    let oldSigmaDown = 0;
    const total = sigmas.length - 1;
    for (let i = 0; i < total; i++) {
      const sigma = sigmas[i]!;
      const sigmaNext = sigmas[i + 1]!;
      const { denoised, uncond } = cfgPp
        ? await run.denoiseWithUncond(x, sigma)
        : { denoised: await run.denoise(x, sigma), uncond: undefined };
      const { down, up } = ancestralSigmas(sigma, sigmaNext, eta);
      await run.onStep?.(i, total, denoised);
      if (down === 0 || !oldDenoised) {
        if (uncond) {
          // denoised + d·σ_down with d = (x − D_u)/σ
          const k = down / sigma;
          x = combine([1, denoised], [k, x], [-k, uncond]);
        } else {
          const k = (down - sigma) / sigma;
          x = combine([1 + k, x], [-k, denoised]);
        }
      } else {
        const t = -Math.log(sigma);
        const tOld = -Math.log(oldSigmaDown);
        const tNext = -Math.log(down);
        const tPrev = -Math.log(sigmas[i - 1]!);
        const h = tNext - t;
        const c2 = (tPrev - tOld) / h;
        const phi1 = Math.expm1(-h) / -h;
        const phi2 = (phi1 - 1) / -h;
        const b1 = nanToZero(phi1 - phi2 / c2);
        const b2 = nanToZero(phi2 / c2);
        const decay = Math.exp(-h);
        if (uncond) {
          // x ← e^{−h}·(x + D − D_u) + h·(b1·D_u + b2·D_u,old)
          x = combine([decay, x], [decay, denoised], [h * b1 - decay, uncond], [h * b2, oldDenoised]);
        } else {
          x = combine([decay, x], [h * b1, denoised], [h * b2, oldDenoised]);
        }
      }
      if (sigmaNext > 0) x = combine([1, x], [sNoise * up, run.noise(sigma, sigmaNext)]);
      oldDenoised = uncond ?? denoised;
      oldSigmaDown = down;
    }
    return x;
  };
}

export const resMultistepSamplers: SamplerFamily = {
  res_multistep: { run: resMultistep(false, false) },
  res_multistep_cfg_pp: { run: resMultistep(false, true) },
  res_multistep_ancestral: { run: resMultistep(true, false) },
  res_multistep_ancestral_cfg_pp: { run: resMultistep(true, true) },
};
