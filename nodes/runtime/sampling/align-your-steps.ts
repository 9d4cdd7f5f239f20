import { roundHalfEven } from './round-half-even.js';

/**
 * NVIDIA's Align Your Steps schedules (research.nvidia.com/labs/toronto-ai/AlignYourSteps): ten optimised steps per
 * model family, stretched to other step counts by log-linear interpolation. Pure.
 */

export const alignYourStepsModels = ['SD1', 'SDXL', 'SVD'] as const;
export type AlignYourStepsModel = (typeof alignYourStepsModels)[number];

/** The published noise levels, 11 σ for 10 steps, as ComfyUI's AlignYourStepsScheduler lists them. */
const NOISE_LEVELS: Readonly<Record<AlignYourStepsModel, readonly number[]>> = {
  SD1: [
    14.6146412293, 6.4745760956, 3.8636745985, 2.694615152, 1.8841921177, 1.3943805092, 0.9642583904, 0.6523686016,
    0.3977456272, 0.1515232662, 0.0291671582,
  ],
  SDXL: [
    14.6146412293, 6.3184485287, 3.7681790315, 2.1811480769, 1.3405244945, 0.8620721141, 0.5550693289, 0.3798540708,
    0.2332364134, 0.1114188177, 0.0291671582,
  ],
  SVD: [700.0, 54.5, 15.886, 7.977, 4.248, 1.789, 0.981, 0.403, 0.173, 0.034, 0.002],
};

/** `count` levels from a falling list, evenly spaced in position and linear in log σ between the given ones. */
function logLinearResample(levels: readonly number[], count: number): number[] {
  const logs = levels.map(Math.log);
  const last = levels.length - 1;
  return Array.from({ length: count }, (_, i) => {
    if (count === 1) return levels[0]!;
    const position = (i / (count - 1)) * last;
    const low = Math.min(Math.floor(position), last - 1);
    const w = position - low;
    return Math.exp((1 - w) * logs[low]! + w * logs[low + 1]!);
  });
}

/**
 * AlignYourStepsScheduler's σ list: the schedule for `steps`, of which denoise keeps the last round(steps·denoise)
 * steps (Python's round, halves to even); the last σ is 0. Denoise 0 gives none.
 */
export function alignYourStepsSigmas(model: AlignYourStepsModel, steps: number, denoise: number): number[] {
  if (denoise <= 0) return [];
  const kept = denoise < 1 ? roundHalfEven(steps * denoise) : steps;
  const levels = NOISE_LEVELS[model];
  const sigmas = steps + 1 === levels.length ? [...levels] : logLinearResample(levels, steps + 1);
  const tail = sigmas.slice(-(kept + 1));
  tail[tail.length - 1] = 0;
  return tail;
}
