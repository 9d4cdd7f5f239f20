import type { SamplerFamily } from '../sampler-names.js';
import type { SamplerRun } from '../sampler-run.js';

/**
 * ComfyUI's sample_ddpm (generic_step_sampler with DDPMSampler_step): each step is DDPM's ancestral posterior step in
 * the variance-preserving x/√(1+σ²), with ᾱ = 1/(σ²+1), then scaled back; fresh noise on every step but the last.
 */
async function ddpm(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const alphaCumprod = 1 / (sigma * sigma + 1);
    const alphaCumprodPrev = 1 / (sigmaNext * sigmaNext + 1);
    const alpha = alphaCumprod / alphaCumprodPrev;
    const inputScale = 1 / Math.sqrt(1 + sigma ** 2);
    const meanScale = Math.sqrt(1 / alpha);
    const epsScale = (1 - alpha) / Math.sqrt(1 - alphaCumprod);
    const z = sigmaNext > 0 ? run.noise(sigma, sigmaNext) : undefined;
    const noiseScale = Math.sqrt(((1 - alpha) * (1 - alphaCumprodPrev)) / (1 - alphaCumprod));
    const outScale = sigmaNext !== 0 ? Math.sqrt(1 + sigmaNext ** 2) : 1;
    const out = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const eps = (x[j]! - denoised[j]!) / sigma;
      let mu = meanScale * (x[j]! * inputScale - epsScale * eps);
      if (z) mu += noiseScale * z[j]!;
      out[j] = mu * outScale;
    }
    x = out;
  }
  return x;
}

export const ddpmSamplers: SamplerFamily = {
  ddpm: { run: ddpm },
};
