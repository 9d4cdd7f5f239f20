import { defineNode } from '../contract/node-definition.js';
import { sameSizeImage } from '../runtime/image/image-memory.js';
import { joinImageWithAlpha } from '../runtime/image/masks.js';

export const JoinImageWithAlpha = defineNode({
  classType: 'JoinImageWithAlpha',
  displayName: 'Join Image with Alpha',
  category: 'mask/compositing',
  description: "Makes a cut-out with transparency: alpha is 1 − the mask (ComfyUI's convention).",
  translations: {
    'zh-CN': {
      display_name: '图像加透明通道',
      description: '生成带透明度的抠图：透明度为 1 − 遮罩（ComfyUI 约定）。',
      inputs: { image: '图像', alpha: '透明遮罩' },
    },
  },
  inputs: { image: { kind: 'SOCKET', type: 'IMAGE' }, alpha: { kind: 'SOCKET', type: 'MASK' } },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image }) => sameSizeImage(image, 4),
  run: ({ image, alpha }) => ({ outputs: [joinImageWithAlpha(image, alpha)] }),
});
