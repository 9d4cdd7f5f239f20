import type { SamplerFamily } from '../sampler-names.js';
import { dpm2Samplers } from './dpm-2.js';
import { dpmAdaptiveSamplers } from './dpm-adaptive.js';
import { dpmFastSamplers } from './dpm-fast.js';
import { dpmppMultistepSdeSamplers } from './dpmpp-multistep-sde.js';
import { dpmppMultistepSamplers } from './dpmpp-multistep.js';
import { dpmppSdeSamplers } from './dpmpp-sde.js';
import { dpmppSinglestepSamplers } from './dpmpp-singlestep.js';
import { eulerCfgPpSamplers } from './euler-cfg-pp.js';
import { eulerSamplers } from './euler.js';
import { expHeunSamplers } from './exp-heun.js';
import { heunSamplers } from './heun.js';
import { lmsSamplers } from './lms.js';

/**
 * Katherine Crowson's k-diffusion samplers and the variants ComfyUI built on them in comfy/k_diffusion/sampling.py
 * (cfg_pp, _gpu, heun SDE, Heun++, exponential Heun), by family:
 * - euler.ts: euler, euler_ancestral; euler-cfg-pp.ts: euler_cfg_pp, euler_ancestral_cfg_pp
 * - heun.ts: heun, heunpp2; exp-heun.ts: exp_heun_2_x0, exp_heun_2_x0_sde
 * - dpm-2.ts: dpm_2, dpm_2_ancestral; lms.ts: lms
 * - dpm-fast.ts, dpm-adaptive.ts (on dpm-solver.ts, pid-step-size.ts): dpm_fast, dpm_adaptive
 * - dpmpp-singlestep.ts: dpmpp_2s_ancestral(_cfg_pp); dpmpp-sde.ts: dpmpp_sde(_gpu)
 * - dpmpp-multistep.ts: dpmpp_2m(_cfg_pp); dpmpp-multistep-sde.ts: dpmpp_2m_sde(_heun)(_gpu), dpmpp_3m_sde(_gpu)
 */
export const kDiffusionSamplers: SamplerFamily = {
  ...eulerSamplers,
  ...eulerCfgPpSamplers,
  ...heunSamplers,
  ...expHeunSamplers,
  ...dpm2Samplers,
  ...lmsSamplers,
  ...dpmFastSamplers,
  ...dpmAdaptiveSamplers,
  ...dpmppSinglestepSamplers,
  ...dpmppSdeSamplers,
  ...dpmppMultistepSamplers,
  ...dpmppMultistepSdeSamplers,
};
