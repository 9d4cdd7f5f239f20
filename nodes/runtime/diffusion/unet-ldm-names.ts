/**
 * The original (ldm / SGM) module names of a diffusers-named UNet: kohya's SDXL LoRAs and LoRAs ComfyUI saves name
 * layers this way (`lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q`, `diffusion_model.middle_block.1…`).
 * ComfyUI's unet_to_diffusers, driven by the block structure read off the module names themselves. Pure.
 */

const RESNET: Readonly<Record<string, string>> = {
  norm1: 'in_layers.0',
  conv1: 'in_layers.2',
  time_emb_proj: 'emb_layers.1',
  norm2: 'out_layers.0',
  conv2: 'out_layers.3',
  conv_shortcut: 'skip_connection',
};

const BASIC: Readonly<Record<string, string>> = {
  conv_in: 'input_blocks.0.0',
  conv_norm_out: 'out.0',
  conv_out: 'out.2',
  'time_embedding.linear_1': 'time_embed.0',
  'time_embedding.linear_2': 'time_embed.2',
  'add_embedding.linear_1': 'label_emb.0.0',
  'add_embedding.linear_2': 'label_emb.0.2',
  'class_embedding.linear_1': 'label_emb.0.0',
  'class_embedding.linear_2': 'label_emb.0.2',
};

interface BlockShape {
  /** Resnets per down block (the first block's count sets the layout, as ComfyUI's formula assumes). */
  readonly downResnets: readonly number[];
  /** Which up-block resnets have an attention after them, by `${block}.${index}`. */
  readonly upAttentions: ReadonlySet<string>;
  readonly upResnets: readonly number[];
}

function shapeOf(modules: readonly string[]): BlockShape {
  const count = (prefix: 'down_blocks' | 'up_blocks'): number[] => {
    const counts: number[] = [];
    for (const module of modules) {
      const match = new RegExp(`^${prefix}\\.(\\d+)\\.resnets\\.(\\d+)\\.`).exec(module);
      if (!match) continue;
      const [block, index] = [Number(match[1]), Number(match[2])];
      counts[block] = Math.max(counts[block] ?? 0, index + 1);
    }
    return Array.from(counts, (value) => value ?? 0);
  };
  const upAttentions = new Set<string>();
  for (const module of modules) {
    const match = /^up_blocks\.(\d+)\.attentions\.(\d+)\./.exec(module);
    if (match) upAttentions.add(`${match[1]}.${match[2]}`);
  }
  return { downResnets: count('down_blocks'), upResnets: count('up_blocks'), upAttentions };
}

function resnetPart(rest: string): string | undefined {
  const [layer, ...tail] = rest.split('.');
  const mapped = layer === undefined ? undefined : RESNET[layer];
  return mapped === undefined ? undefined : [mapped, ...tail].join('.');
}

function ldmName(module: string, shape: BlockShape): string | undefined {
  if (BASIC[module] !== undefined) return BASIC[module];
  let match = /^down_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.+)$/.exec(module);
  if (match) {
    const block = Number(match[1]);
    const resnets = shape.downResnets[0] ?? 0;
    const n = 1 + (resnets + 1) * block + Number(match[3]);
    if (match[2] === 'attentions') return `input_blocks.${n}.1.${match[4]}`;
    const part = resnetPart(match[4]!);
    return part === undefined ? undefined : `input_blocks.${n}.0.${part}`;
  }
  match = /^down_blocks\.(\d+)\.downsamplers\.0\.conv$/.exec(module);
  if (match) {
    const resnets = shape.downResnets[0] ?? 0;
    return `input_blocks.${1 + (resnets + 1) * Number(match[1]) + resnets}.0.op`;
  }
  match = /^mid_block\.(resnets|attentions)\.(\d+)\.(.+)$/.exec(module);
  if (match) {
    if (match[1] === 'attentions') return `middle_block.1.${match[3]}`;
    const part = resnetPart(match[3]!);
    return part === undefined ? undefined : `middle_block.${Number(match[2]) === 0 ? 0 : 2}.${part}`;
  }
  match = /^up_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.+)$/.exec(module);
  if (match) {
    const [block, index] = [Number(match[1]), Number(match[3])];
    const n = ((shape.downResnets[0] ?? 0) + 1) * block + index;
    if (match[2] === 'attentions') return `output_blocks.${n}.1.${match[4]}`;
    const part = resnetPart(match[4]!);
    return part === undefined ? undefined : `output_blocks.${n}.0.${part}`;
  }
  match = /^up_blocks\.(\d+)\.upsamplers\.0\.conv$/.exec(module);
  if (match) {
    const block = Number(match[1]);
    const last = (shape.upResnets[block] ?? 1) - 1;
    const n = ((shape.downResnets[0] ?? 0) + 1) * block + last;
    return `output_blocks.${n}.${shape.upAttentions.has(`${block}.${last}`) ? 2 : 1}.conv`;
  }
  return undefined;
}

/** Each diffusers module path of a UNet with its ldm name, where it has one. */
export function ldmModuleNames(modules: Iterable<string>): Map<string, string> {
  const list = [...modules];
  const shape = shapeOf(list);
  const names = new Map<string, string>();
  for (const module of list) {
    const name = ldmName(module, shape);
    if (name !== undefined) names.set(module, name);
  }
  return names;
}
