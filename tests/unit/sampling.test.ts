import { describe, expect, it } from 'vitest';
import { ModelSampling, SD_SCHEDULE } from '../../nodes/runtime/sampling/model-sampling.js';
import { batchNoise, SeededRandom } from '../../nodes/runtime/sampling/noise.js';
import { modelCalls, runSampler, type SamplerName } from '../../nodes/runtime/sampling/samplers/registry.js';
import { ancestralSigmas } from '../../nodes/runtime/sampling/samplers/k-diffusion/euler.js';
import { testSamplerRun } from '../helpers/sampler-run.js';
import { computeSigmas, lcmTimesteps, samplerSigmas } from '../../nodes/runtime/sampling/schedulers.js';

const sd = new ModelSampling(SD_SCHEDULE);
const round4 = (values: number[]): number[] => values.map((v) => Number(v.toFixed(4)));

describe('SD noise schedule (handbook §3.1)', () => {
  it('has σ_min 0.029167 and σ_max 14.614641', () => {
    expect(sd.sigmaMin).toBeCloseTo(0.029167, 6);
    expect(sd.sigmaMax).toBeCloseTo(14.614641, 5);
    expect(sd.alphasCumprod[0]).toBeCloseTo(0.99915, 5);
    expect(sd.alphasCumprod[999]).toBeCloseTo(0.0046601, 7);
  });

  it('maps σ to the nearest timestep in log σ, and back by log-linear interpolation', () => {
    expect(sd.timestep(sd.sigmaMax)).toBe(999);
    expect(sd.timestep(sd.sigmas[500]! * 1.001)).toBe(500);
    expect(sd.sigmaAt(500)).toBeCloseTo(sd.sigmas[500]!, 10);
    expect(Math.log(sd.sigmaAt(500.5))).toBeCloseTo((Math.log(sd.sigmas[500]!) + Math.log(sd.sigmas[501]!)) / 2, 10);
  });
});

describe('σ schedulers against the handbook vectors (n = 10)', () => {
  const vectors: Record<string, number[]> = {
    normal: [14.6146, 7.8399, 4.6092, 2.9183, 1.9502, 1.3449, 0.9324, 0.625, 0.3687, 0.0292],
    karras: [14.6146, 9.1029, 5.4784, 3.1686, 1.7494, 0.9141, 0.4469, 0.2014, 0.0819, 0.0292],
    exponential: [14.6146, 7.3249, 3.6712, 1.84, 0.9222, 0.4622, 0.2317, 0.1161, 0.0582, 0.0292],
    sgm_uniform: [14.6146, 8.3072, 5.0924, 3.3251, 2.2797, 1.6156, 1.1629, 0.8319, 0.5712, 0.3437],
    simple: [14.6146, 8.3028, 5.0878, 3.3211, 2.2765, 1.6129, 1.1606, 0.8299, 0.5693, 0.3417],
    ddim_uniform: [8.3907, 5.1344, 3.3478, 2.2929, 1.6237, 1.1682, 0.8357, 0.5741, 0.3462, 0.0413],
  };
  it.each(Object.entries(vectors))('%s', (name, expected) => {
    const sigmas = computeSigmas(sd, name as never, 10);
    expect(sigmas).toHaveLength(11);
    expect(sigmas[10]).toBe(0);
    expect(round4(sigmas.slice(0, 10))).toEqual(expected);
  });

  it('gives diffusers LCM timesteps (4 of 50 → 999, 759, 499, 259)', () => {
    expect(lcmTimesteps(4, 50)).toEqual([999, 759, 499, 259]);
    expect(round4(computeSigmas(sd, 'lcm', 4))).toEqual(
      round4([sd.sigmas[999]!, sd.sigmas[759]!, sd.sigmas[499]!, sd.sigmas[259]!, 0]),
    );
  });

  it('slices for denoise < 1 and start/end steps as ComfyUI does', () => {
    const full = computeSigmas(sd, 'normal', 20);
    const img2img = samplerSigmas({ sampling: sd, scheduler: 'normal', sampler: 'euler', steps: 10, denoise: 0.5 });
    expect(img2img).toEqual(full.slice(-11));
    const part = samplerSigmas({
      sampling: sd,
      scheduler: 'normal',
      sampler: 'euler',
      steps: 20,
      denoise: 1,
      startStep: 5,
      endStep: 12,
      forceFullDenoise: true,
    });
    expect(part).toHaveLength(8);
    expect(part[0]).toBe(full[5]);
    expect(part[7]).toBe(0);
    const leftover = samplerSigmas({
      sampling: sd,
      scheduler: 'normal',
      sampler: 'euler',
      steps: 20,
      denoise: 1,
      endStep: 12,
    });
    expect(leftover[12]).toBe(full[12]);
    expect(
      samplerSigmas({ sampling: sd, scheduler: 'normal', sampler: 'euler', steps: 20, denoise: 1, startStep: 25 }),
    ).toEqual([]);
  });

  it('distilled (LCM) sampling keeps every 20th σ', () => {
    const distilled = new ModelSampling(SD_SCHEDULE, 'epsilon', 20);
    expect(distilled.sigmas).toHaveLength(50);
    expect(distilled.timestep(distilled.sigmaMax)).toBe(999);
    expect(distilled.sigmas[0]).toBeCloseTo(sd.sigmas[19]!, 12);
  });
});

describe('seeded noise', () => {
  it('is the same for the same seed, different for another, and item i does not depend on the batch', () => {
    const a = batchNoise(42, 2, 1000);
    const b = batchNoise(42, 2, 1000);
    expect(a).toEqual(b);
    expect(batchNoise(43, 1, 1000)).not.toEqual(a.subarray(0, 1000));
    expect(batchNoise(42, 4, 1000).subarray(1000, 2000)).toEqual(a.subarray(1000, 2000));
    expect(batchNoise(42, 1, 1000, 1)).not.toEqual(a.subarray(0, 1000));
  });

  it('is standard normal', () => {
    const values = batchNoise(7, 1, 200_000);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
  });

  it('takes seeds up to 2^64 − 1 and gives fixed values (a change here changes every user image)', () => {
    const big = new SeededRandom(18446744073709551615n);
    expect(Number.isFinite(big.nextGaussian())).toBe(true);
    const first = Array.from({ length: 3 }, () => new SeededRandom(0).nextUint32());
    expect(new Set(first).size).toBe(1);
    expect(round4(Array.from(batchNoise(1, 1, 4)))).toMatchSnapshot();
  });
});

/**
 * A closed-form denoiser: for data x0 = c (a constant) the ideal denoiser is D(x, σ) = c. With x = c + σ·n,
 * Euler's step lands exactly on c + σ_next·n, so each sampler's update can be checked by hand.
 */
describe('sampler updates on a closed-form denoiser', () => {
  const c = 0.5;
  const exact = (x: Float32Array): Promise<Float32Array> => Promise.resolve(new Float32Array(x.length).fill(c));
  const sigmas = [10, 5, 2, 0];
  const start = (n: number) => Float32Array.from([c + sigmas[0]! * n]);
  const zeroNoise = () => new Float32Array(1);

  it.each(['euler', 'ddim', 'heun', 'dpmpp_2m', 'dpmpp_2m_sde', 'euler_ancestral', 'lcm'] as SamplerName[])(
    '%s converges to the data exactly',
    async (name) => {
      const steps: number[] = [];
      const out = await runSampler(
        name,
        start(1),
        testSamplerRun({
          sigmas,
          denoise: exact,
          noise: zeroNoise,
          onStep: (i) => void steps.push(i),
        }),
      );
      expect(out[0]).toBeCloseTo(c, 6);
      expect(steps).toEqual([0, 1, 2]);
    },
  );

  it('euler: one step by hand', async () => {
    const out = await runSampler(
      'euler',
      Float32Array.from([3]),
      testSamplerRun({
        sigmas: [2, 1],
        denoise: () => Promise.resolve(Float32Array.from([1])),
        noise: zeroNoise,
      }),
    );
    // d = (3 − 1)/2 = 1; x = 3 + 1·(1 − 2) = 2
    expect(out[0]).toBeCloseTo(2, 6);
  });

  it('euler_ancestral: σ_down/σ_up by hand and the noise it adds', async () => {
    const { down, up } = ancestralSigmas(2, 1);
    expect(up).toBeCloseTo(Math.sqrt((1 * (4 - 1)) / 4), 10);
    expect(down).toBeCloseTo(Math.sqrt(1 - 0.75), 10);
    const out = await runSampler(
      'euler_ancestral',
      Float32Array.from([3]),
      testSamplerRun({
        sigmas: [2, 1],
        denoise: () => Promise.resolve(Float32Array.from([1])),
        noise: () => Float32Array.from([1]),
      }),
    );
    // x = 3 + 1·(0.5 − 2) + 1·√0.75
    expect(out[0]).toBeCloseTo(3 - 1.5 + Math.sqrt(0.75), 5);
  });

  it('heun: the corrected step by hand', async () => {
    // D(x, σ) = x/2 (a linear denoiser): d = x/(2σ).
    const half = (x: Float32Array) => Promise.resolve(x.map((v) => v / 2));
    const out = await runSampler(
      'heun',
      Float32Array.from([4]),
      testSamplerRun({ sigmas: [2, 1], denoise: half, noise: zeroNoise }),
    );
    // d1 = (4 − 2)/2 = 1; x̃ = 4 − 1 = 3; d2 = (3 − 1.5)/1 = 1.5; x = 4 + (1 + 1.5)/2·(−1) = 2.75
    expect(out[0]).toBeCloseTo(2.75, 6);
  });

  it('dpmpp_2m: second-order step by hand', async () => {
    const values = [Float32Array.from([1]), Float32Array.from([2])];
    let call = 0;
    const out = await runSampler(
      'dpmpp_2m',
      Float32Array.from([8]),
      testSamplerRun({
        sigmas: [4, 2, 1],
        denoise: () => Promise.resolve(values[call++]!),
        noise: zeroNoise,
      }),
    );
    const h = Math.log(2);
    const first = 0.5 * 8 - Math.expm1(-h) * 1; // σ ratio 1/2
    const r = 1; // h_last / h
    const dPrime = (1 + 1 / (2 * r)) * 2 - (1 / (2 * r)) * 1;
    expect(out[0]).toBeCloseTo(0.5 * first - Math.expm1(-h) * dPrime, 5);
  });

  it('dpmpp_2m_sde: first step by hand with unit noise', async () => {
    const out = await runSampler(
      'dpmpp_2m_sde',
      Float32Array.from([8]),
      testSamplerRun({
        sigmas: [4, 2],
        denoise: () => Promise.resolve(Float32Array.from([1])),
        noise: () => Float32Array.from([1]),
      }),
    );
    const h = Math.log(2);
    const expected = 0.5 * Math.exp(-h) * 8 + -Math.expm1(-2 * h) * 1 + 2 * Math.sqrt(-Math.expm1(-2 * h));
    expect(out[0]).toBeCloseTo(expected, 5);
  });

  it('lcm: x ← D + σ_next·z', async () => {
    const out = await runSampler(
      'lcm',
      Float32Array.from([8]),
      testSamplerRun({
        sigmas: [4, 2],
        denoise: () => Promise.resolve(Float32Array.from([1])),
        noise: () => Float32Array.from([0.5]),
      }),
    );
    expect(out[0]).toBeCloseTo(1 + 2 * 0.5, 6);
  });

  it('counts model calls', () => {
    expect(modelCalls('euler', [3, 2, 1, 0])).toBe(3);
    expect(modelCalls('heun', [3, 2, 1, 0])).toBe(5);
  });
});

describe('denoised estimates', () => {
  it('ε, v and distilled parameterisations', () => {
    const x = Float32Array.from([2]);
    const out = Float32Array.from([0.5]);
    expect(sd.denoised(x, out, 2)[0]).toBeCloseTo(2 - 0.5 * 2, 6);
    const v = new ModelSampling(SD_SCHEDULE, 'v_prediction');
    expect(v.denoised(x, out, 2)[0]).toBeCloseTo(2 / 5 - (0.5 * 2) / Math.sqrt(5), 6);
    const lcmSampling = new ModelSampling(SD_SCHEDULE, 'epsilon', 20);
    const sigma = lcmSampling.sigmas[49]!;
    const t = 999 / 0.1;
    const expected = (t / Math.sqrt(t * t + 0.25)) * (2 - 0.5 * sigma) + (0.25 / (t * t + 0.25)) * 2;
    expect(lcmSampling.denoised(x, out, sigma)[0]).toBeCloseTo(expected, 5);
  });
});

describe('ModelSampling.indexOf', () => {
  it('finds the first nearest table entry in log σ, as an argmin over the whole table would', () => {
    for (const sampling of [new ModelSampling(SD_SCHEDULE), new ModelSampling(SD_SCHEDULE, 'epsilon', 20)]) {
      const argmin = (sigma: number): number => {
        let best = 0;
        for (let i = 1; i < sampling.logSigmas.length; i++) {
          if (
            Math.abs(Math.log(sigma) - sampling.logSigmas[i]!) < Math.abs(Math.log(sigma) - sampling.logSigmas[best]!)
          )
            best = i;
        }
        return best;
      };
      let seed = 3;
      const probes = [...sampling.sigmas, 1e-6, 1e6, sampling.sigmaMin * 0.5, sampling.sigmaMax * 2];
      for (let i = 0; i < 2000; i++) probes.push(Math.exp(((seed = (seed * 16807) % 2147483647) / 2147483647) * 9 - 4));
      for (let i = 0; i + 1 < sampling.sigmas.length; i++)
        probes.push(Math.exp((sampling.logSigmas[i]! + sampling.logSigmas[i + 1]!) / 2));
      for (const sigma of probes) expect(sampling.indexOf(sigma), `σ = ${sigma}`).toBe(argmin(sigma));
    }
  });
});
