/**
 * The keys a LoRA file may use for one layer of a pipeline, from the layer's module path in the export (diffusers
 * naming, as optimum exports it) — ComfyUI's model_lora_keys_unet / model_lora_keys_clip, seen from the other side.
 */

/** A part of a pipeline a LoRA patches, by its folder. */
export type PipelinePart = 'unet' | 'text_encoder' | 'text_encoder_2';

/** Which text encoders the pipeline has, since the kohya prefixes depend on it (SD: te; SDXL: te1 and te2). */
export interface TextEncoderSet {
  readonly first: boolean;
  readonly second: boolean;
}

const underscored = (module: string): string => module.replace(/\./g, '_');

/** Old diffusers attention processors: `attn1.to_q` is `attn1.processor.to_q`, `to_out.0` is `processor.to_out`. */
function processorKey(module: string): string | undefined {
  if (!module.includes('.to_')) return undefined;
  const key = module.replace(/\.to_/g, '.processor.to_');
  return key.endsWith('.to_out.0') ? key.slice(0, -2) : key;
}

/** `ldm`: the UNet module's original name (unet-ldm-names.ts), which SDXL kohya LoRAs and ComfyUI's own use. */
export function loraKeysForModule(
  part: PipelinePart,
  module: string,
  encoders: TextEncoderSet,
  ldm?: string,
): string[] {
  const flat = underscored(module);
  if (part === 'unet') {
    const processor = processorKey(module);
    return [
      `lora_unet_${flat}`,
      `lycoris_${flat}`,
      module,
      `unet.${module}`,
      ...(processor ? [processor, `unet.${processor}`] : []),
      ...(ldm ? [`lora_unet_${underscored(ldm)}`, `diffusion_model.${ldm}`] : []),
    ];
  }
  const sdxlBase = encoders.first && encoders.second;
  if (part === 'text_encoder')
    return sdxlBase
      ? [`lora_te1_${flat}`, `lora_te_${flat}`, `text_encoder.${module}`]
      : [`lora_te_${flat}`, `lora_te1_${flat}`, `text_encoder.${module}`];
  // text_encoder_2: SDXL's clip_g; alone (the refiner) kohya and diffusers name it as the only encoder.
  return sdxlBase
    ? [`lora_te2_${flat}`, `text_encoder_2.${module}`]
    : [`lora_te_${flat}`, `text_encoder.${module}`, `text_encoder_2.${module}`];
}
