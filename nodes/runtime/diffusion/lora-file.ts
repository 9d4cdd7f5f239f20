import { openSafetensors, type SafetensorsTensor } from '../../../media/safetensors.js';
import { err, ok, type Result } from '../../../shared/result.js';

/**
 * A LoRA file's low-rank pairs, by the key of the layer each adapts, in the formats people download (the suffixes
 * ComfyUI's LoRAAdapter reads): kohya/LyCORIS `.lora_up/.lora_down`, diffusers `_lora.up/_lora.down`, PEFT
 * `.lora_B/.lora_A`, `.lora.up/.lora.down`, transformers `.lora_linear_layer.up/.down`, each with an optional `.alpha`.
 */

export interface LoraPair {
  /** The layer's key in the file, e.g. `lora_unet_down_blocks_0_attentions_0_proj_in` or `unet.down_blocks.0….to_q`. */
  readonly key: string;
  /** [out, rank] (or [out, rank, 1, 1] for a conv LoRA). */
  readonly up: { readonly name: string; readonly shape: readonly number[] };
  /** [rank, in] (or [rank, in, kh, kw]). */
  readonly down: { readonly name: string; readonly shape: readonly number[] };
  /** The `.alpha` scalar's tensor name; absent means a scale of 1, as in ComfyUI. */
  readonly alphaName?: string;
}

export interface LoraFileIndex {
  readonly path: string;
  readonly pairs: ReadonlyMap<string, LoraPair>;
  /** Keys of layers in adapter formats Inkgraph does not apply (LoHa, LoKr, DoRA, Tucker mid), with the format. */
  readonly unsupported: ReadonlyMap<string, string>;
  /** Tensors that belong to no pair (an up without its down, stray keys). */
  readonly stray: readonly string[];
  /** The file's values, as float32, read when asked. */
  read(name: string): Result<Float32Array>;
}

const PAIR_SUFFIXES: readonly (readonly [up: string, down: string])[] = [
  ['.lora_up.weight', '.lora_down.weight'],
  ['_lora.up.weight', '_lora.down.weight'],
  ['.lora_B.weight', '.lora_A.weight'],
  ['.lora.up.weight', '.lora.down.weight'],
  ['.lora_linear_layer.up.weight', '.lora_linear_layer.down.weight'],
  ['.lora_B.default.weight', '.lora_A.default.weight'],
];

const UNSUPPORTED_SUFFIXES: readonly (readonly [suffix: string, format: string])[] = [
  ['.hada_w1_a', 'LoHa'],
  ['.hada_w1_b', 'LoHa'],
  ['.hada_w2_a', 'LoHa'],
  ['.hada_w2_b', 'LoHa'],
  ['.hada_t1', 'LoHa'],
  ['.hada_t2', 'LoHa'],
  ['.lokr_w1', 'LoKr'],
  ['.lokr_w2', 'LoKr'],
  ['.lokr_w1_a', 'LoKr'],
  ['.lokr_w1_b', 'LoKr'],
  ['.lokr_w2_a', 'LoKr'],
  ['.lokr_w2_b', 'LoKr'],
  ['.lokr_t2', 'LoKr'],
  ['.dora_scale', 'DoRA'],
  ['.lora_mid.weight', 'LoCon with a Tucker mid weight'],
];

/** Groups a LoRA file's tensors into pairs by layer key. */
export function indexLoraTensors(tensors: readonly SafetensorsTensor[]): Omit<LoraFileIndex, 'path' | 'read'> {
  const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  const used = new Set<string>();
  const pairs = new Map<string, LoraPair>();
  const unsupported = new Map<string, string>();
  for (const tensor of tensors) {
    for (const [suffix, format] of UNSUPPORTED_SUFFIXES) {
      if (!tensor.name.endsWith(suffix)) continue;
      unsupported.set(tensor.name.slice(0, -suffix.length), format);
      used.add(tensor.name);
    }
  }
  for (const tensor of tensors) {
    for (const [upSuffix, downSuffix] of PAIR_SUFFIXES) {
      if (!tensor.name.endsWith(upSuffix)) continue;
      const key = tensor.name.slice(0, -upSuffix.length);
      const down = byName.get(`${key}${downSuffix}`);
      if (!down) break;
      const alpha = byName.get(`${key}.alpha`);
      used.add(tensor.name).add(down.name);
      if (alpha) used.add(alpha.name);
      if (unsupported.has(key)) break;
      pairs.set(key, {
        key,
        up: { name: tensor.name, shape: tensor.shape },
        down: { name: down.name, shape: down.shape },
        ...(alpha ? { alphaName: alpha.name } : {}),
      });
      break;
    }
  }
  for (const key of unsupported.keys()) if (byName.has(`${key}.alpha`)) used.add(`${key}.alpha`);
  const stray = tensors.map((tensor) => tensor.name).filter((name) => !used.has(name));
  return { pairs, unsupported, stray };
}

/** Opens a LoRA file and indexes its pairs; the values are read later, pair by pair. */
export function openLoraFile(path: string): Result<LoraFileIndex> {
  const file = openSafetensors(path);
  if (!file.ok) return file;
  const index = indexLoraTensors(file.value.header.tensors);
  if (index.pairs.size === 0 && index.unsupported.size === 0)
    return err(
      `${path} has no LoRA weights (no .lora_up/.lora_down, .lora_A/.lora_B or similar pairs among its ${file.value.header.tensors.length} tensors${
        file.value.header.tensors.length > 0
          ? `, e.g. ${file.value.header.tensors
              .slice(0, 3)
              .map((t) => t.name)
              .join(', ')}`
          : ''
      })`,
    );
  return ok({ path, ...index, read: (name) => file.value.readFloat32(name) });
}
