import type { SamplerFamily } from '../sampler-names.js';
import { eulerSamplers } from '../k-diffusion/euler.js';
import { lcmSamplers } from './lcm.js';

/** The samplers ComfyUI added beyond k-diffusion's (comfy/k_diffusion/sampling.py, comfy/extra_samplers/). */
export const comfySamplers: SamplerFamily = {
  ...lcmSamplers,
  // ComfyUI's "ddim" is Euler (DDIM with η = 0 is Euler in σ-space), with fresh inpainting noise each step.
  ddim: eulerSamplers.euler!,
};
