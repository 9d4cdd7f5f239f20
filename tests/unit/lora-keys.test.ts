import { describe, expect, it } from 'vitest';
import { indexLoraTensors } from '../../nodes/runtime/diffusion/lora-file.js';
import { loraKeysForModule } from '../../nodes/runtime/diffusion/lora-keys.js';
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
