import type { SamplerFamily } from '../sampler-names.js';
import { dpmppMultistepSamplers } from './dpmpp-multistep.js';
import { eulerSamplers } from './euler.js';
import { heunSamplers } from './heun.js';

/** Katherine Crowson's k-diffusion samplers and the variants ComfyUI built on them (cfg_pp, _gpu, heun SDE). */
export const kDiffusionSamplers: SamplerFamily = {
  ...eulerSamplers,
  ...heunSamplers,
  ...dpmppMultistepSamplers,
};
