import { defineNode } from '../contract/node-definition.js';
import { upscaleImage } from '../runtime/image/upscale-model.js';
import { upscaleMemory } from '../runtime/image/image-memory.js';

export const ImageUpscaleWithModel = defineNode({
  classType: 'ImageUpscaleWithModel',
  displayName: 'Upscale Image (using Model)',
  category: 'image/upscaling',
  description:
    "Upscales images with a super-resolution model, in 512-pixel tiles overlapping by 32 (ComfyUI's), so any size fits in the memory of one tile; progress is shown per tile.",
  translations: {
    'zh-CN': {
      display_name: '使用模型放大图像',
      description:
        '用超分辨率模型放大图像，按 512 像素、重叠 32 像素的图块逐块处理（与 ComfyUI 相同），任意尺寸只需一个图块的内存；按图块显示进度。',
      inputs: { upscale_model: '放大模型', image: '图像' },
    },
  },
  inputs: {
    upscale_model: { kind: 'SOCKET', type: 'UPSCALE_MODEL' },
    image: { kind: 'SOCKET', type: 'IMAGE' },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image }) => upscaleMemory(image),
  run: async ({ upscale_model, image }, ctx) => {
    const upscaled = await upscaleImage(upscale_model, image, ctx.caches, (value, max) => ctx.progress({ value, max }));
    return { outputs: [upscaled] };
  },
});
