import { describe, expect, it } from 'vitest';
import { indexLoraTensors } from '../../nodes/runtime/diffusion/lora-file.js';
import { loraKeysForModule } from '../../nodes/runtime/diffusion/lora-keys.js';
import { ldmModuleNames } from '../../nodes/runtime/diffusion/unet-ldm-names.js';
import { modulePathOf } from '../../nodes/runtime/onnx/weight-locator.js';
import type { SafetensorsTensor } from '../../media/safetensors.js';

describe('module paths from torch export node names', () => {
  it('joins scopes, a called container’s child repeating its name, a ModuleList’s child not', () => {
    expect(modulePathOf('/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul')).toBe(
      'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q',
    );
    expect(modulePathOf('/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_out.0/MatMul')).toBe(
      'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0',
    );
    expect(modulePathOf('/time/time.0/Gemm')).toBe('time.0');
    expect(modulePathOf('/attn1/mlp/mlp.0/MatMul')).toBe('attn1.mlp.0');
    expect(modulePathOf('/text_model/encoder/layers.11/mlp/fc2/MatMul')).toBe('text_model.encoder.layers.11.mlp.fc2');
    expect(modulePathOf('MatMul_12')).toBeUndefined();
    expect(modulePathOf('/MatMul')).toBeUndefined();
  });
});

describe('LoRA keys for a module', () => {
  const sd = { first: true, second: false };
  const sdxl = { first: true, second: true };
  const refiner = { first: false, second: true };
  it('UNet: kohya, LyCORIS, plain, PEFT with unet., and old diffusers processor keys', () => {
    expect(loraKeysForModule('unet', 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0', sd)).toEqual([
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_out_0',
      'lycoris_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_out_0',
      'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0',
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0',
      'down_blocks.0.attentions.0.transformer_blocks.0.attn1.processor.to_out',
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.processor.to_out',
    ]);
  });
  it('text encoders: lora_te for SD, te1/te2 for SDXL, the refiner’s only encoder as lora_te', () => {
    const q = 'text_model.encoder.layers.0.self_attn.q_proj';
    expect(loraKeysForModule('text_encoder', q, sd)[0]).toBe('lora_te_text_model_encoder_layers_0_self_attn_q_proj');
    expect(loraKeysForModule('text_encoder', q, sdxl)[0]).toBe('lora_te1_text_model_encoder_layers_0_self_attn_q_proj');
    expect(loraKeysForModule('text_encoder_2', q, sdxl)).toEqual([
      'lora_te2_text_model_encoder_layers_0_self_attn_q_proj',
      'text_encoder_2.text_model.encoder.layers.0.self_attn.q_proj',
    ]);
    expect(loraKeysForModule('text_encoder_2', q, refiner)[0]).toBe(
      'lora_te_text_model_encoder_layers_0_self_attn_q_proj',
    );
  });
});

describe('LoRA file index', () => {
  const tensor = (name: string, shape: number[] = [4, 2]): SafetensorsTensor => ({
    name,
    dtype: 'F32',
    shape,
    begin: 0,
    end: shape.reduce((a, b) => a * b, 1) * 4,
  });
  it('pairs every format’s up and down with its alpha, and lists the rest', () => {
    const index = indexLoraTensors([
      tensor('lora_unet_a.lora_down.weight'),
      tensor('lora_unet_a.lora_up.weight'),
      tensor('lora_unet_a.alpha', []),
      tensor('unet.b.lora_A.weight'),
      tensor('unet.b.lora_B.weight'),
      tensor('unet.c.processor.to_q_lora.down.weight'),
      tensor('unet.c.processor.to_q_lora.up.weight'),
      tensor('lora_unet_d.hada_w1_a'),
      tensor('lora_unet_d.alpha', []),
      tensor('lora_unet_e.lora_up.weight'),
    ]);
    expect([...index.pairs.keys()]).toEqual(['lora_unet_a', 'unet.b', 'unet.c.processor.to_q']);
    expect(index.pairs.get('lora_unet_a')?.alphaName).toBe('lora_unet_a.alpha');
    expect(index.pairs.get('unet.b')?.up.name).toBe('unet.b.lora_B.weight');
    expect([...index.unsupported]).toEqual([['lora_unet_d', 'LoHa']]);
    expect(index.stray).toEqual(['lora_unet_e.lora_up.weight']);
  });
});

describe('ldm names of a diffusers UNet (ComfyUI unet_to_diffusers)', () => {
  // SD 1.5's layout: 4 down blocks of 2 resnets, attentions in the first 3; up blocks of 3 resnets, attentions in
  // the last 3.
  const modules: string[] = ['conv_in', 'conv_out', 'conv_norm_out', 'time_embedding.linear_1'];
  for (let block = 0; block < 4; block++) {
    for (let i = 0; i < 2; i++) {
      modules.push(`down_blocks.${block}.resnets.${i}.conv1`);
      if (block < 3) modules.push(`down_blocks.${block}.attentions.${i}.transformer_blocks.0.attn1.to_q`);
    }
    if (block < 3) modules.push(`down_blocks.${block}.downsamplers.0.conv`);
    for (let i = 0; i < 3; i++) {
      modules.push(`up_blocks.${block}.resnets.${i}.conv2`);
      if (block > 0) modules.push(`up_blocks.${block}.attentions.${i}.proj_out`);
    }
    if (block < 3) modules.push(`up_blocks.${block}.upsamplers.0.conv`);
  }
  modules.push('down_blocks.1.resnets.0.conv_shortcut', 'mid_block.resnets.1.conv2', 'mid_block.attentions.0.proj_in');
  const names = ldmModuleNames(modules);

  it('maps each block as SD 1.5 checkpoints name it', () => {
    expect(names.get('conv_in')).toBe('input_blocks.0.0');
    expect(names.get('conv_out')).toBe('out.2');
    expect(names.get('time_embedding.linear_1')).toBe('time_embed.0');
    expect(names.get('down_blocks.0.resnets.0.conv1')).toBe('input_blocks.1.0.in_layers.2');
    expect(names.get('down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q')).toBe(
      'input_blocks.4.1.transformer_blocks.0.attn1.to_q',
    );
    expect(names.get('down_blocks.1.resnets.0.conv_shortcut')).toBe('input_blocks.4.0.skip_connection');
    expect(names.get('down_blocks.0.downsamplers.0.conv')).toBe('input_blocks.3.0.op');
    expect(names.get('down_blocks.3.resnets.1.conv1')).toBe('input_blocks.11.0.in_layers.2');
    expect(names.get('mid_block.resnets.1.conv2')).toBe('middle_block.2.out_layers.3');
    expect(names.get('mid_block.attentions.0.proj_in')).toBe('middle_block.1.proj_in');
    expect(names.get('up_blocks.0.upsamplers.0.conv')).toBe('output_blocks.2.1.conv');
    expect(names.get('up_blocks.1.upsamplers.0.conv')).toBe('output_blocks.5.2.conv');
    expect(names.get('up_blocks.1.attentions.2.proj_out')).toBe('output_blocks.5.1.proj_out');
    expect(names.get('up_blocks.3.resnets.2.conv2')).toBe('output_blocks.11.0.out_layers.3');
  });

  it('gives kohya ldm and ComfyUI diffusion_model keys for the UNet', () => {
    const keys = loraKeysForModule(
      'unet',
      'down_blocks.1.attentions.0.proj_in',
      { first: true, second: false },
      'input_blocks.4.1.proj_in',
    );
    expect(keys).toContain('lora_unet_input_blocks_4_1_proj_in');
    expect(keys).toContain('diffusion_model.input_blocks.4.1.proj_in');
  });
});
