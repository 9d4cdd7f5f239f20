import { comfySamplers } from './comfy/index.js';
import { kDiffusionSamplers } from './k-diffusion/index.js';
import type { SamplerEntry, SamplerOptions, SamplerRun } from './sampler-run.js';

/** ComfyUI's SAMPLER_NAMES (comfy/samplers.py: KSAMPLER_NAMES + ddim, uni_pc, uni_pc_bh2), in its order. */
export const samplerNames = [
  'euler',
  'euler_cfg_pp',
  'euler_ancestral',
  'euler_ancestral_cfg_pp',
  'heun',
  'heunpp2',
  'exp_heun_2_x0',
  'exp_heun_2_x0_sde',
  'dpm_2',
  'dpm_2_ancestral',
  'lms',
  'dpm_fast',
  'dpm_adaptive',
  'dpmpp_2s_ancestral',
  'dpmpp_2s_ancestral_cfg_pp',
  'dpmpp_sde',
  'dpmpp_sde_gpu',
  'dpmpp_2m',
  'dpmpp_2m_cfg_pp',
  'dpmpp_2m_sde',
  'dpmpp_2m_sde_gpu',
  'dpmpp_2m_sde_heun',
  'dpmpp_2m_sde_heun_gpu',
  'dpmpp_3m_sde',
  'dpmpp_3m_sde_gpu',
  'ddpm',
  'lcm',
  'ipndm',
  'ipndm_v',
  'deis',
  'res_multistep',
  'res_multistep_cfg_pp',
  'res_multistep_ancestral',
  'res_multistep_ancestral_cfg_pp',
  'gradient_estimation',
  'gradient_estimation_cfg_pp',
  'er_sde',
  'seeds_2',
  'seeds_3',
  'sa_solver',
  'sa_solver_pece',
  'ddim',
  'uni_pc',
  'uni_pc_bh2',
] as const;
export type SamplerName = (typeof samplerNames)[number];

/** The samplers of each family, by name; a test checks that every name above has one. */
export type SamplerFamily = Readonly<Partial<Record<SamplerName, SamplerEntry>>>;

const entries: SamplerFamily = { ...kDiffusionSamplers, ...comfySamplers };

export function isSamplerName(name: string): name is SamplerName {
  return (samplerNames as readonly string[]).includes(name);
}

export function samplerEntry(name: SamplerName): SamplerEntry {
  const entry = entries[name];
  if (!entry) throw new Error(`sampler ${name} is not available`);
  return entry;
}

/** Runs a sampler from x (already noise-scaled to σ_0) down the σ list. */
export function runSampler(
  name: SamplerName,
  x: Float32Array,
  run: SamplerRun,
  options: SamplerOptions = {},
): Promise<Float32Array> {
  return samplerEntry(name).run(x, run, options);
}

/** How many model evaluations a sampler makes for a σ list. */
export function modelCalls(name: SamplerName, sigmas: readonly number[]): number {
  const entry = samplerEntry(name);
  return entry.modelCalls ? entry.modelCalls(sigmas) : Math.max(0, sigmas.length - 1);
}

/** Whether a sampler's schedule drops its penultimate σ (computed for one step more). */
export function discardsPenultimateSigma(name: string): boolean {
  return isSamplerName(name) && samplerEntry(name).discardPenultimate === true;
}
