import type { SamplerFamily } from '../sampler-names.js';
import type { SamplerRun } from '../sampler-run.js';

/** ComfyUI's sample_lcm: jump to the denoised estimate, then noise it to the next σ (ε-model noise scaling). */
async function lcm(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    x = Float32Array.from(denoised);
    if (sigmaNext > 0) {
      const z = run.noise(sigma, sigmaNext);
      for (let j = 0; j < x.length; j++) x[j] = x[j]! + z[j]! * sigmaNext;
    }
  }
  return x;
}

export const lcmSamplers: SamplerFamily = {
  lcm: { run: lcm },
};
