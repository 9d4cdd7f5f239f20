import { defineNode } from '../contract/node-definition.js';
import { maskShape } from '../runtime/image/image-memory.js';
import { imageColorToMask } from '../runtime/image/mask-ops.js';

export const ImageColorToMask = defineNode({
  classType: 'ImageColorToMask',
  displayName: 'ImageColorToMask',
  category: 'mask',
  description:
    'Masks the pixels of one colour, given as the integer 0xRRGGBB; matching pixels get 255 (as in ComfyUI), others 0.',
  translations: {
    'zh-CN': {
      display_name: '图像颜色转遮罩',
      description: '选出某一颜色（整数 0xRRGGBB）的像素作为遮罩；匹配处为 255（与 ComfyUI 相同），其余为 0。',
      inputs: { image: '图像', color: '颜色' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    color: { kind: 'INT', default: 0, min: 0, max: 0xffffff, step: 1 },
  },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ image }) => ({
    outputs: [image ? maskShape(image.batch, image.height, image.width) : undefined],
    workingBytes: 0,
  }),
  run: ({ image, color }) => ({ outputs: [imageColorToMask(image, color)] }),
});
