import type { SamplerFamily } from '../sampler-names.js';
import type { SamplerRun } from '../sampler-run.js';

async function dpmpp2m(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  let previous: Float32Array | undefined;
  let hLast = 0;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const out = new Float32Array(x.length);
    if (sigmaNext === 0) {
      out.set(denoised);
    } else {
      const h = Math.log(sigma) - Math.log(sigmaNext);
      const ratio = sigmaNext / sigma;
      const coefficient = -Math.expm1(-h);
      if (!previous) {
        for (let j = 0; j < x.length; j++) out[j] = ratio * x[j]! + coefficient * denoised[j]!;
      } else {
        const r = hLast / h;
        const a = 1 + 1 / (2 * r);
        const b = 1 / (2 * r);
        for (let j = 0; j < x.length; j++) out[j] = ratio * x[j]! + coefficient * (a * denoised[j]! - b * previous[j]!);
      }
      hLast = h;
    }
    previous = denoised;
    x = out;
  }
  return x;
}

async function dpmpp2mSde(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  const eta = 1;
  let x = x0;
  const total = run.sigmas.length - 1;
  let previous: Float32Array | undefined;
  let hLast: number | undefined;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const out = new Float32Array(x.length);
    if (sigmaNext === 0) {
      out.set(denoised);
    } else {
      const h = Math.log(sigma) - Math.log(sigmaNext);
      const etaH = eta * h;
      const decay = (sigmaNext / sigma) * Math.exp(-etaH);
      const weight = -Math.expm1(-h - etaH);
      for (let j = 0; j < x.length; j++) out[j] = decay * x[j]! + weight * denoised[j]!;
      if (previous && hLast !== undefined) {
        const r = hLast / h;
        const correction = 0.5 * weight * (1 / r);
        for (let j = 0; j < x.length; j++) out[j] = out[j]! + correction * (denoised[j]! - previous[j]!);
      }
      const noiseScale = sigmaNext * Math.sqrt(-Math.expm1(-2 * etaH));
      const z = run.noise(sigma, sigmaNext);
      for (let j = 0; j < x.length; j++) out[j] = out[j]! + z[j]! * noiseScale;
      hLast = h;
    }
    previous = denoised;
    x = out;
  }
  return x;
}

export const dpmppMultistepSamplers: SamplerFamily = {
  dpmpp_2m: { run: dpmpp2m },
  dpmpp_2m_sde: { run: dpmpp2mSde },
};
