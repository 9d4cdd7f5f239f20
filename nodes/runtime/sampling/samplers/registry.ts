import { comfySamplers } from './comfy/index.js';
import { kDiffusionSamplers } from './k-diffusion/index.js';
import type { SamplerEntry, SamplerOptions, SamplerRun } from './sampler-run.js';
import { isSamplerName, samplerNames, type SamplerName } from './sampler-names.js';

export { isSamplerName, samplerNames, type SamplerFamily, type SamplerName } from './sampler-names.js';

const families = { ...kDiffusionSamplers, ...comfySamplers };

export function samplerEntry(name: SamplerName): SamplerEntry {
  const entry = families[name];
  if (!entry) throw new Error(`sampler ${name} is named but has no implementation`);
  return entry;
}

// Every name has its sampler, or the registry does not load: no name can be offered that does not run.
for (const name of samplerNames) samplerEntry(name);

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
