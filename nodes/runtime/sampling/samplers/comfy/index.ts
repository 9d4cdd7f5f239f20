import type { SamplerFamily } from '../sampler-names.js';
import { eulerSamplers } from '../k-diffusion/euler.js';
import { ddpmSamplers } from './ddpm.js';
import { deisSamplers } from './deis.js';
import { erSdeSamplers } from './er-sde.js';
import { gradientEstimationSamplers } from './gradient-estimation.js';
import { ipndmSamplers } from './ipndm.js';
import { lcmSamplers } from './lcm.js';
import { resMultistepSamplers } from './res-multistep.js';
import { saSolverSamplers } from './sa-solver.js';
import { seedsSamplers } from './seeds.js';
import { uniPcSamplers } from './uni-pc.js';

/** The samplers ComfyUI added beyond k-diffusion's (comfy/k_diffusion/sampling.py, comfy/extra_samplers/). */
export const comfySamplers: SamplerFamily = {
  ...ddpmSamplers,
  ...lcmSamplers,
  ...ipndmSamplers,
  ...deisSamplers,
  ...resMultistepSamplers,
  ...gradientEstimationSamplers,
  ...erSdeSamplers,
  ...seedsSamplers,
  ...saSolverSamplers,
  // ComfyUI's sampler_object makes "ddim" Euler (DDIM with η = 0 is Euler in σ-space) with its own inpainting noise.
  ddim: { ...eulerSamplers.euler!, separateInpaintNoise: true },
  ...uniPcSamplers,
};
