/**
 * k-diffusion samplers as ComfyUI runs them, on flat Float32Array latents. Each takes the σ list, a denoiser
 * D(x, σ) (CFG already applied) and a source of fresh N(0,1) noise per step. Pure apart from the callbacks.
 */

export const samplerNames = ['euler', 'euler_ancestral', 'heun', 'dpmpp_2m', 'dpmpp_2m_sde', 'ddim', 'lcm'] as const;
export type SamplerName = (typeof samplerNames)[number];

export type Denoiser = (x: Float32Array, sigma: number) => Promise<Float32Array>;

export interface SamplerRun {
  readonly sigmas: readonly number[];
  readonly denoise: Denoiser;
  /** Fresh standard-normal noise for step i (same length as x). */
  readonly noise: (step: number) => Float32Array;
  /** After each step: the step index, the step count and the current denoised estimate. */
  readonly onStep?: (step: number, total: number, denoised: Float32Array) => void | Promise<void>;
}

/** x + d·(σ_next − σ) with d = (x − D)/σ. */
function eulerStep(x: Float32Array, denoised: Float32Array, sigma: number, sigmaNext: number): Float32Array {
  const out = new Float32Array(x.length);
  const ratio = (sigmaNext - sigma) / sigma;
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + (x[i]! - denoised[i]!) * ratio;
  return out;
}

async function euler(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    x = eulerStep(x, denoised, sigma, run.sigmas[i + 1]!);
  }
  return x;
}

/** σ_down and σ_up of an ancestral step (η = 1). */
export function ancestralSigmas(sigma: number, sigmaNext: number, eta = 1): { down: number; up: number } {
  if (sigmaNext === 0) return { down: 0, up: 0 };
  const up = Math.min(sigmaNext, eta * Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2));
  return { down: Math.sqrt(sigmaNext ** 2 - up ** 2), up };
}

async function eulerAncestral(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const { down, up } = ancestralSigmas(sigma, sigmaNext);
    x = eulerStep(x, denoised, sigma, down);
    if (sigmaNext > 0) {
      const z = run.noise(i);
      for (let j = 0; j < x.length; j++) x[j] = x[j]! + z[j]! * up;
    }
  }
  return x;
}

async function heun(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const dt = sigmaNext - sigma;
    const predicted = eulerStep(x, denoised, sigma, sigmaNext);
    if (sigmaNext === 0) {
      x = predicted;
      continue;
    }
    const denoised2 = await run.denoise(predicted, sigmaNext);
    const out = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const d = (x[j]! - denoised[j]!) / sigma;
      const d2 = (predicted[j]! - denoised2[j]!) / sigmaNext;
      out[j] = x[j]! + ((d + d2) / 2) * dt;
    }
    x = out;
  }
  return x;
}

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
      const z = run.noise(i);
      for (let j = 0; j < x.length; j++) out[j] = out[j]! + z[j]! * noiseScale;
      hLast = h;
    }
    previous = denoised;
    x = out;
  }
  return x;
}

async function lcm(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const denoised = await run.denoise(x, run.sigmas[i]!);
    await run.onStep?.(i, total, denoised);
    const sigmaNext = run.sigmas[i + 1]!;
    x = Float32Array.from(denoised);
    if (sigmaNext > 0) {
      const z = run.noise(i);
      for (let j = 0; j < x.length; j++) x[j] = x[j]! + z[j]! * sigmaNext;
    }
  }
  return x;
}

/** Runs a sampler from x (already noise-scaled to σ_0) down the σ list. */
export function runSampler(name: SamplerName, x: Float32Array, run: SamplerRun): Promise<Float32Array> {
  switch (name) {
    case 'euler':
    case 'ddim': // ComfyUI's "ddim" is Euler: DDIM with η = 0 is exactly Euler in σ-space.
      return euler(x, run);
    case 'euler_ancestral':
      return eulerAncestral(x, run);
    case 'heun':
      return heun(x, run);
    case 'dpmpp_2m':
      return dpmpp2m(x, run);
    case 'dpmpp_2m_sde':
      return dpmpp2mSde(x, run);
    case 'lcm':
      return lcm(x, run);
  }
}

/** How many model evaluations a sampler makes for a σ list (heun evaluates twice but on its last step). */
export function modelCalls(name: SamplerName, sigmas: readonly number[]): number {
  const steps = Math.max(0, sigmas.length - 1);
  if (name !== 'heun') return steps;
  return steps + sigmas.slice(1).filter((sigma) => sigma !== 0).length;
}
