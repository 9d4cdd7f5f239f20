import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { applyLora, listLoras } from '../runtime/diffusion/lora-apply.js';
import { loraMemory } from '../runtime/diffusion/memory-estimates.js';
import { modelPath } from '../runtime/model-path.js';
import '../runtime/diffusion/types.js';

export const LoraLoader = defineNode({
  classType: 'LoraLoader',
  displayName: 'Load LoRA',
  category: 'loaders',
  description:
    'LoRAs are used to modify diffusion and CLIP models, altering the way in which latents are denoised such as applying styles. Multiple LoRA nodes can be linked together. Reads .safetensors files from models/loras (kohya, diffusers and PEFT keys) and patches the ONNX weights when the model next runs.',
  translations: {
    'zh-CN': {
      display_name: '加载 LoRA',
      description:
        'LoRA 用于修改扩散模型和 CLIP 模型，改变潜空间的降噪方式，例如套用画风。多个 LoRA 节点可以串联。读取 models/loras 中的 .safetensors 文件（kohya、diffusers 和 PEFT 键名），在模型下次运行时修补其 ONNX 权重。',
      inputs: {
        model: '模型',
        clip: 'CLIP',
        lora_name: 'LoRA 名称',
        strength_model: '模型强度',
        strength_clip: 'CLIP 强度',
      },
      tooltips: {
        model: '要应用 LoRA 的扩散模型。',
        clip: '要应用 LoRA 的 CLIP 模型。',
        lora_name: 'LoRA 的名称。',
        strength_model: '修改扩散模型的强度。此值可以为负。',
        strength_clip: '修改 CLIP 模型的强度。此值可以为负。',
      },
    },
  },
  inputs: {
    model: { kind: 'SOCKET', type: 'MODEL', tooltip: 'The diffusion model the LoRA will be applied to.' },
    clip: { kind: 'SOCKET', type: 'CLIP', tooltip: 'The CLIP model the LoRA will be applied to.' },
    lora_name: { kind: 'COMBO', options: (env) => listLoras(env.modelsDir), tooltip: 'The name of the LoRA.' },
    strength_model: {
      kind: 'FLOAT',
      default: 1,
      min: -100,
      max: 100,
      step: 0.01,
      tooltip: 'How strongly to modify the diffusion model. This value can be negative.',
    },
    strength_clip: {
      kind: 'FLOAT',
      default: 1,
      min: -100,
      max: 100,
      step: 0.01,
      tooltip: 'How strongly to modify the CLIP model. This value can be negative.',
    },
  },
  outputs: [
    { type: 'MODEL', name: 'MODEL', tooltip: 'The modified diffusion model.' },
    { type: 'CLIP', name: 'CLIP', tooltip: 'The modified CLIP model.' },
  ],
  estimate: ({ model, clip, lora_name, strength_model }) =>
    loraMemory(model, lora_name, strength_model, { shape: clip }),
  run: ({ model, clip, lora_name, strength_model, strength_clip }, ctx) => {
    if (strength_model === 0 && strength_clip === 0) return { outputs: [model, clip] };
    const path = modelPath(ctx.env.modelsDir, 'loras', lora_name, 'lora_name');
    const applied = applyLora(model, clip, path, strength_model, strength_clip, patchedModelsDir(ctx.env));
    return { outputs: [applied.model, applied.clip ?? clip], ui: { text: [applied.report] } };
  },
});
