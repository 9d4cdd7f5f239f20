import type { ConditioningEntry } from './types.js';

/**
 * The raw `time_ids` an ONNX SDXL UNet takes (it embeds them itself), as ComfyUI's SDXL / SDXLRefiner `encode_adm`
 * builds them after `encode_model_conds` filled the defaults: width and height default to the latent's pixel size,
 * crops to 0, targets to the (defaulted) width and height, and the refiner's aesthetic score to 6 for the positive
 * prompt and 2.5 for the negative one. Pure.
 *
 * Base: [height, width, crop_h, crop_w, target_height, target_width]; refiner: [height, width, crop_h, crop_w, aesthetic].
 */
export function sdxlTimeIds(
  kind: 'sdxl' | 'sdxl-refiner',
  entry: Pick<ConditioningEntry, 'sdxlSize' | 'aestheticScore'>,
  latentPixels: { width: number; height: number },
  promptType: 'positive' | 'negative',
): Float32Array {
  const size = entry.sdxlSize ?? {};
  const width = size.width ?? latentPixels.width;
  const height = size.height ?? latentPixels.height;
  const cropW = size.cropW ?? 0;
  const cropH = size.cropH ?? 0;
  if (kind === 'sdxl-refiner') {
    const aesthetic = entry.aestheticScore ?? (promptType === 'negative' ? 2.5 : 6);
    return Float32Array.of(height, width, cropH, cropW, aesthetic);
  }
  const targetWidth = size.targetWidth ?? width;
  const targetHeight = size.targetHeight ?? height;
  return Float32Array.of(height, width, cropH, cropW, targetHeight, targetWidth);
}
