import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';

/** torch's Tensor.std(): the unbiased (n − 1) standard deviation over every element. */
function sampleStd(values: Float32Array): number {
  if (values.length < 2) return Number.NaN;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * ComfyUI's sample_lcm: jump to the denoised estimate, then noise it to the next σ (ε-model noise scaling). Options:
 * s_noise (1) and s_noise_end (s_noise) ramp the noise multiplier linearly over the steps; noise_clip_std (0: off)
 * clamps the fresh noise to ± that many of its standard deviations.
 */
async function lcm(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const sStart = numberOption(options, 's_noise', 1);
  const sEnd = numberOption(options, 's_noise_end', sStart);
  const clipStd = numberOption(options, 'noise_clip_std', 0);
  let x = x0;
  const total = run.sigmas.length - 1;
  const rampSteps = Math.max(1, total);
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    x = Float32Array.from(denoised);
    if (sigmaNext > 0) {
      let z = run.noise(sigma, sigmaNext);
      if (clipStd > 0) {
        const clip = clipStd * sampleStd(z);
        z = z.map((v) => Math.min(Math.max(v, -clip), clip));
      }
      const t = rampSteps > 1 ? i / (rampSteps - 1) : 0;
      const sNoise = sStart + (sEnd - sStart) * t;
      for (let j = 0; j < x.length; j++) x[j] = sigmaNext * (z[j]! * sNoise) + x[j]!;
    }
  }
  return x;
}

export const lcmSamplers: SamplerFamily = {
  lcm: { run: lcm },
};
