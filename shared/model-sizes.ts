import { z } from 'zod';

/**
 * The image size each diffusion model was trained at (`GET /api/model-sizes`, by `ckpt_name`), so the editor can
 * start an Empty Latent Image there and say when a size is far from it (a 64×64 model asked for 512×512 runs ~60×
 * longer and tiles its scene).
 */
export const modelSizeSchema = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });
export type ModelSize = z.infer<typeof modelSizeSchema>;
export const modelSizesSchema = z.record(z.string(), modelSizeSchema);
export type ModelSizes = z.infer<typeof modelSizesSchema>;

/** How far a size may be from the model's, in pixel count, before the editor warns (either way). */
const FAR_FACTOR = 4;

/** Whether `width`×`height` is far from the model's size: more than 4× or under ¼ of its pixels. */
export function isFarFromModelSize(native: ModelSize, width: number, height: number): boolean {
  const ratio = (width * height) / (native.width * native.height);
  return ratio > FAR_FACTOR || ratio < 1 / FAR_FACTOR;
}
