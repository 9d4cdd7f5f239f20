import type { DiffusionModel } from './types.js';

/**
 * The `auto` preview method: the model's own VAE when one decode costs little next to a sampling step (the
 * shipped model decodes 64×64 in ~1.4 ms against ~7 ms a step), latent→RGB otherwise (SD 1.5 on a CPU decodes
 * 512×512 in seconds). Measured on a model's second step (the first also warms the session up), then kept for that
 * model and latent size.
 */

/** The most of a step's time a decoded preview may take. */
export const AUTO_PREVIEW_SHARE = 0.25;

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
