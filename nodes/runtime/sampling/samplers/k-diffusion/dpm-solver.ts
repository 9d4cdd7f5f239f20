import { ancestralSigmas } from './euler.js';
import type { SamplerRun } from '../sampler-run.js';
import { combine } from './vectors.js';

/** The model's noise estimates within one step, by ComfyUI's keys ('eps', 'eps_r1', 'eps_r2'): each made once. */
export type EpsCache = Map<string, Float32Array>;

const sigmaOf = (t: number): number => Math.exp(-t);
export const tOf = (sigma: number): number => -Math.log(sigma);

/**
 * DPM-Solver (Lu et al., 2022) as k-diffusion's DPMSolver class: first-, second- and third-order steps in
 * t = −log σ on the noise prediction ε = (x − D)/σ. Used by dpm_fast and dpm_adaptive.
 */
export class DpmSolver {
  constructor(private readonly run: SamplerRun) {}

  sigma(t: number): number {
    return sigmaOf(t);
  }

  async eps(cache: EpsCache, key: string, x: Float32Array, t: number): Promise<Float32Array> {
    const cached = cache.get(key);
    if (cached) return cached;
    const sigma = sigmaOf(t);
    const denoised = await this.run.denoise(x, sigma);
    const eps = combine([1 / sigma, x], [-1 / sigma, denoised]);
    cache.set(key, eps);
    return eps;
  }

  async step1(x: Float32Array, t: number, tNext: number, cache: EpsCache): Promise<Float32Array> {
    const eps = await this.eps(cache, 'eps', x, t);
    return combine([1, x], [-sigmaOf(tNext) * Math.expm1(tNext - t), eps]);
  }

  async step2(x: Float32Array, t: number, tNext: number, cache: EpsCache, r1 = 1 / 2): Promise<Float32Array> {
    const h = tNext - t;
    const eps = await this.eps(cache, 'eps', x, t);
    const s1 = t + r1 * h;
    const u1 = combine([1, x], [-sigmaOf(s1) * Math.expm1(r1 * h), eps]);
    const epsR1 = await this.eps(cache, 'eps_r1', u1, s1);
    const a = sigmaOf(tNext) * Math.expm1(h);
    const b = (sigmaOf(tNext) / (2 * r1)) * Math.expm1(h);
    return combine([1, x], [-a + b, eps], [-b, epsR1]);
  }

  async step3(
    x: Float32Array,
    t: number,
    tNext: number,
    cache: EpsCache,
    r1 = 1 / 3,
    r2 = 2 / 3,
  ): Promise<Float32Array> {
    const h = tNext - t;
    const eps = await this.eps(cache, 'eps', x, t);
    const s1 = t + r1 * h;
    const s2 = t + r2 * h;
    const u1 = combine([1, x], [-sigmaOf(s1) * Math.expm1(r1 * h), eps]);
    const epsR1 = await this.eps(cache, 'eps_r1', u1, s1);
    const c = sigmaOf(s2) * (r2 / r1) * (Math.expm1(r2 * h) / (r2 * h) - 1);
    const u2 = combine([1, x], [-sigmaOf(s2) * Math.expm1(r2 * h) + c, eps], [-c, epsR1]);
    const epsR2 = await this.eps(cache, 'eps_r2', u2, s2);
    const a = sigmaOf(tNext) * Math.expm1(h);
    const b = (sigmaOf(tNext) / r2) * (Math.expm1(h) / h - 1);
    return combine([1, x], [-a + b, eps], [-b, epsR2]);
  }

  /**
   * For an ancestral (η > 0) step from t to tNext: the t it solves to (capped at tEnd) and the noise σ_up that then
   * brings it back up to σ(tNext).
   */
  ancestral(t: number, tNext: number, tEnd: number, eta: number): { readonly to: number; readonly up: number } {
    if (!eta) return { to: tNext, up: 0 };
    const { down } = ancestralSigmas(sigmaOf(t), sigmaOf(tNext), eta);
    const to = Math.min(tEnd, tOf(down));
    return { to, up: Math.sqrt(sigmaOf(tNext) ** 2 - sigmaOf(to) ** 2) };
  }
}
