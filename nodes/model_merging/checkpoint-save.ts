import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { savePipeline } from '../runtime/diffusion/pipeline-save.js';
import '../runtime/diffusion/types.js';

export const CheckpointSave = defineNode({
  classType: 'CheckpointSave',
  displayName: 'Save Checkpoint',
  category: 'advanced/model_merging',
  description:
    'Saves the model, CLIP and VAE, with their LoRAs and merges applied, as an ONNX pipeline folder in the output folder (checkpoints/ComfyUI_00001_ by default); move it to models/diffusion to load it.',
  translations: {
    'zh-CN': {
      display_name: '保存模型',
      description:
        '把模型、CLIP 和 VAE（已应用其 LoRA 与融合）保存为输出文件夹中的 ONNX 流水线文件夹（默认 checkpoints/ComfyUI_00001_）；移到 models/diffusion 即可加载。',
      inputs: { model: '模型', clip: 'CLIP', vae: 'VAE', filename_prefix: '文件名前缀' },
    },
  },
  inputs: {
    model: { kind: 'SOCKET', type: 'MODEL' },
    clip: { kind: 'SOCKET', type: 'CLIP' },
    vae: { kind: 'SOCKET', type: 'VAE' },
    filename_prefix: { kind: 'STRING', default: 'checkpoints/ComfyUI' },
  },
  outputs: [],
  outputNode: true,
  hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' },
  run: ({ model, clip, vae, filename_prefix }, ctx) => {
    const saved = savePipeline(
      model,
      clip,
      vae,
      ctx.env.outputDir,
      filename_prefix,
      { prompt: ctx.prompt, ...(ctx.extraPngInfo ?? {}) },
      patchedModelsDir(ctx.env),
    );
    return { outputs: [], ui: { text: [`saved ${saved.name}`] } };
  },
});
