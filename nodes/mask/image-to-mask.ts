import { defineNode } from '../contract/node-definition.js';
import { maskShape } from '../runtime/image/image-memory.js';
import { imageToMask, maskChannels } from '../runtime/image/masks.js';

export const ImageToMask = defineNode({
  classType: 'ImageToMask',
  displayName: 'Convert Image to Mask',
  category: 'mask',
  description: 'Takes one channel of an image as a mask.',
  translations: {
    'zh-CN': {
      display_name: '图像转遮罩',
      description: '取图像的一个通道作为遮罩。',
      inputs: { image: '图像', channel: '通道' },
    },
  },
  inputs: { image: { kind: 'SOCKET', type: 'IMAGE' }, channel: { kind: 'COMBO', options: maskChannels } },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ image }) => ({
    outputs: [image ? maskShape(image.batch, image.height, image.width) : undefined],
    workingBytes: 0,
  }),
  run: ({ image, channel }) => ({ outputs: [imageToMask(image, channel)] }),
});
