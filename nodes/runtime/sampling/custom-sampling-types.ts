import type { SamplerName } from './samplers/sampler-names.js';
import type { SamplerOptions } from './samplers/sampler-run.js';

/** ComfyUI's SAMPLER (a KSAMPLER object): which sampler, with the options its option node set. */
export interface SamplerChoice {
  readonly name: SamplerName;
  readonly options: SamplerOptions;
}

/** ComfyUI's NOISE: RandomNoise's seeded noise, or DisableNoise's zeros. */
export type NoiseChoice = { readonly kind: 'random'; readonly seed: number } | { readonly kind: 'disabled' };

declare module '../../contract/socket-types.js' {
  interface SocketTypes {
    /** A σ schedule, falling, usually ending at 0 (ComfyUI's 1-D SIGMAS tensor). */
    SIGMAS: readonly number[];
    SAMPLER: SamplerChoice;
    NOISE: NoiseChoice;
  }
}
