import { roundHalfEven } from './round-half-even.js';

/** Edits of a σ list, as ComfyUI's SplitSigmas, SplitSigmasDenoise and FlipSigmas make them. Pure. */

/** σ_0…σ_step and σ_step…: the two halves share σ_step, so a second sampler starts where the first stopped. */
export function splitSigmas(sigmas: readonly number[], step: number): [number[], number[]] {
  return [sigmas.slice(0, step + 1), sigmas.slice(step)];
}

/**
 * Split so the low half has the last round(steps·denoise) steps (Python's round, halves to even). As in ComfyUI, a
 * denoise that rounds to no steps leaves the high half empty (its slice `[:-0]`) and the low half the last σ.
 */
export function splitSigmasDenoise(sigmas: readonly number[], denoise: number): [number[], number[]] {
  const steps = Math.max(sigmas.length - 1, 0);
  const low = roundHalfEven(steps * denoise);
  return [low === 0 ? [] : sigmas.slice(0, -low), sigmas.slice(-(low + 1))];
}

/** The list reversed, for rising schedules (unsampling); a leading 0 becomes 0.0001, as a sampler cannot start at 0. */
export function flipSigmas(sigmas: readonly number[]): number[] {
  const flipped = [...sigmas].reverse();
  if (flipped[0] === 0) flipped[0] = 0.0001;
  return flipped;
}
