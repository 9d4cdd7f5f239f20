import type { DiffusionModel } from './types.js';

/**
 * The `auto` preview method: the model's own VAE only when one decode is nearly free next to a sampling step,
 * latent→RGB otherwise (SD 1.5 on a CPU decodes 512×512 in seconds; the shipped model decodes 64×64 in ~1.4 ms
 * against ~6 ms a step). A decoded preview is also converted, encoded and sent while the next step runs on the same
 * cores, so a quarter of a step made a watched image ~1.8× slower than the models' own time on
 * the SD-shaped bench pipelines (npm run bench). Measured on a model's second step (the first also warms the session
 * up), then kept for that model and latent size.
 */

/** The most of a step's time a decoded preview may take. */
export const AUTO_PREVIEW_SHARE = 0.02;

export type AutoPreviewChoice = 'vae' | 'latent2rgb';

export function autoPreviewChoice(decodeMs: number, stepMs: number): AutoPreviewChoice {
  return decodeMs <= AUTO_PREVIEW_SHARE * stepMs ? 'vae' : 'latent2rgb';
}

const choices = new WeakMap<DiffusionModel, Map<string, AutoPreviewChoice>>();

/** The choices made for a model, by latent size (`HxW`); they go with the model when it is unloaded. */
export function autoPreviewChoices(model: DiffusionModel): Map<string, AutoPreviewChoice> {
  let byShape = choices.get(model);
  if (!byShape) choices.set(model, (byShape = new Map<string, AutoPreviewChoice>()));
  return byShape;
}
