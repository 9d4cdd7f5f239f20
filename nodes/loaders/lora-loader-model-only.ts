import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { applyLora, listLoras } from '../runtime/diffusion/lora-apply.js';
import { loraMemory } from '../runtime/diffusion/memory-estimates.js';
import { modelPath } from '../runtime/model-path.js';
import '../runtime/diffusion/types.js';

export const LoraLoaderModelOnly = defineNode({
  classType: 'LoraLoaderModelOnly',
  displayName: 'LoraLoaderModelOnly',
  category: 'loaders',
  description:
    'Applies a LoRA from models/loras to the diffusion model only (its UNet), leaving the text encoder as it is.',
  translations: {
    'zh-CN': {
      display_name: '加载 LoRA（仅模型）',
      description: '只把 models/loras 中的 LoRA 应用到扩散模型（UNet），文本编码器保持不变。',
      inputs: { model: '模型', lora_name: 'LoRA 名称', strength_model: '模型强度' },
      tooltips: { strength_model: '修改扩散模型的强度。此值可以为负。' },
    },
  },
  inputs: {
    model: { kind: 'SOCKET', type: 'MODEL' },
    lora_name: { kind: 'COMBO', options: (env) => listLoras(env.modelsDir) },
    strength_model: { kind: 'FLOAT', default: 1, min: -100, max: 100, step: 0.01 },
  },
  outputs: [{ type: 'MODEL', name: 'MODEL' }],
  estimate: ({ model, lora_name, strength_model }) => loraMemory(model, lora_name, strength_model),
  run: ({ model, lora_name, strength_model }, ctx) => {
    if (strength_model === 0) return { outputs: [model] };
    const path = modelPath(ctx.env.modelsDir, 'loras', lora_name, 'lora_name');
    const applied = applyLora(model, undefined, path, strength_model, 0, patchedModelsDir(ctx.env));
    return { outputs: [applied.model], ui: { text: [applied.report] } };
  },
});
