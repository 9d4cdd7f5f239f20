import { defineNode } from '../contract/node-definition.js';
import { encodePrompt } from '../runtime/diffusion/text-encoding.js';
import { textEncodeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

export const CLIPTextEncodeSDXLRefiner = defineNode({
  classType: 'CLIPTextEncodeSDXLRefiner',
  displayName: 'CLIPTextEncodeSDXLRefiner',
  category: 'advanced/conditioning',
  description:
    'Encodes a prompt for the SDXL refiner with its aesthetic score (higher asks for a more aesthetic image) and the original size.',
  translations: {
    'zh-CN': {
      tooltips: {
        ascore: '告诉精炼器的美学评分。',
        width: '原始图像宽度。',
        height: '原始图像高度。',
        text: '要编码的文本。',
        clip: '文本编码器（精炼器的 clip_g）。',
      },
      display_name: 'CLIP 文本编码 (SDXL 精炼器)',
      description: '为 SDXL 精炼器编码提示词，并附带美学评分（越高要求图像越美观）和原始尺寸。',
      inputs: { ascore: '美学评分', width: '宽度', height: '高度', text: '文本', clip: 'CLIP' },
    },
  },
  inputs: {
    ascore: {
      kind: 'FLOAT',
      default: 6,
      min: 0,
      max: 1000,
      step: 0.01,
      tooltip: 'The aesthetic score the refiner is told of.',
    },
    width: { kind: 'INT', default: 1024, min: 0, max: 16384, step: 1, tooltip: 'The original image width.' },
    height: { kind: 'INT', default: 1024, min: 0, max: 16384, step: 1, tooltip: 'The original image height.' },
    text: { kind: 'STRING', multiline: true, dynamicPrompts: true, tooltip: 'The text to encode.' },
    clip: { kind: 'SOCKET', type: 'CLIP', tooltip: 'The text encoder (the refiner’s clip_g).' },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  estimate: ({ clip }) => textEncodeMemory(clip),
  // As in ComfyUI, any CLIP encodes here; only SDXL refiner models read the score.
  run: async ({ ascore, width, height, text, clip }, ctx) => {
    const entry = await encodePrompt(clip, text, ctx.caches);
    return { outputs: [[{ ...entry, aestheticScore: ascore, sdxlSize: { width, height } }]] };
  },
});
