import { defineNode } from '../contract/node-definition.js';
import { listPipelines, loadPipeline } from '../runtime/diffusion/pipeline-loader.js';
import { modelPath } from '../runtime/model-path.js';
import { checkpointMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

export const CheckpointLoaderSimple = defineNode({
  classType: 'CheckpointLoaderSimple',
  displayName: 'Load Checkpoint',
  category: 'loaders',
  description:
    'Loads an ONNX Stable Diffusion pipeline folder from models/diffusion: the model, its text encoder (CLIP) and its VAE.',
  translations: {
    'zh-CN': {
      tooltips: {
        ckpt_name: 'models/diffusion 下的一个模型管线文件夹。',
      },
      display_name: '加载模型',
      description: '从 models/diffusion 加载 ONNX Stable Diffusion 流水线文件夹：模型、文本编码器 (CLIP) 和 VAE。',
      inputs: { ckpt_name: '模型名称' },
    },
  },
  inputs: {
    ckpt_name: {
      kind: 'COMBO',
      options: (env) => listPipelines(env.modelsDir),
      tooltip: 'A pipeline folder under models/diffusion.',
    },
  },
  outputs: [
    { type: 'MODEL', name: 'MODEL', tooltip: 'The denoising model (UNet and its noise schedule).' },
    { type: 'CLIP', name: 'CLIP', tooltip: 'The text encoder and its tokenizer.' },
    { type: 'VAE', name: 'VAE', tooltip: 'The autoencoder that turns latents into images and back.' },
  ],
  estimate: ({ ckpt_name }, ctx) => checkpointMemory(ckpt_name, ctx),
  run: async ({ ckpt_name }, ctx) => {
    const dir = modelPath(ctx.env.modelsDir, 'diffusion', ckpt_name, 'ckpt_name');
    const pipeline = await loadPipeline(dir, ctx.caches);
    return { outputs: [pipeline.model, pipeline.clip, pipeline.vae] };
  },
});
